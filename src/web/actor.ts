import type { Request } from 'express';
import type { Actor } from '../audit/audit';
import { forbiddenFieldsOf } from './text-guard';

/** The audit actor for this request. */
export function actorOf(req: Request): Actor {
  const user = req.user;
  return {
    userId: user?.id ?? null,
    label: user ? user.username : 'anonymous',
    role: user?.role ?? null,
    ip: req.ip ?? null,
    requestId: typeof req.id === 'string' ? req.id : req.id ? String(req.id) : null,
    ...(forbiddenFieldsOf(req.body).length ? { forbiddenText: forbiddenFieldsOf(req.body) } : {}),
  };
}
