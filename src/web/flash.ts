import type { Request } from 'express';

/** A one-time message shown on the next page (POST-redirect-GET). Text is already translated. */
export function flash(req: Request, type: 'success' | 'error' | 'info', text: string): void {
  req.session.flash = [...(req.session.flash ?? []), { type, text }];
}

export function takeFlash(req: Request): { type: string; text: string }[] {
  const messages = req.session?.flash ?? [];
  if (messages.length && req.session) delete req.session.flash;
  return messages;
}
