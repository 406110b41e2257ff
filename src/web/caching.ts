import type { Request } from 'express';

/** Public content may be cached for a few minutes, but never a response to a signed-in user: its
 *  page carries their name and menu, and every signed-in response is `no-store` (issue 7, item 9). */
export function publicCaching(req: Request): string {
  return req.user ? 'private, no-store' : 'public, max-age=300';
}
