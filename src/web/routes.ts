import { Router, type Request, type Response, type NextFunction, type RequestHandler } from 'express';
import type { Role } from '../modules/accounts/roles';
import { Forbidden, NotSignedIn } from './errors';
import { csrfAfterUpload, refuseUncheckedMultipart } from './csrf';

export type Handler = (req: Request, res: Response, next: NextFunction) => unknown;

/** Who may call a route. There is no default: every route states it, so forgetting means it won't compile. */
export type Access = 'public' | 'signedIn' | readonly Role[];

export interface RouteDef {
  method: 'get' | 'post';
  path: string;
  access: Access;
  handler: Handler | Handler[];
}

export function allow(access: Access): RequestHandler {
  return (req, _res, next) => {
    if (access === 'public') return next();
    if (!req.user) return next(new NotSignedIn());
    if (access === 'signedIn' || access.includes(req.user.role)) return next();
    next(new Forbidden());
  };
}

/** Builds a router from a table of routes: path, who may call it, handler. */
export function routeTable(defs: RouteDef[]): Router {
  const router = Router();
  for (const def of defs) {
    const handlers = Array.isArray(def.handler) ? def.handler : [def.handler];
    // The global CSRF check leaves multipart bodies to csrfAfterUpload; a POST route that takes no
    // upload must then refuse multipart outright, or a token-less multipart form would pass.
    const guard = def.method === 'post' && !handlers.includes(csrfAfterUpload) ? [refuseUncheckedMultipart] : [];
    router[def.method](def.path, ...guard, allow(def.access), ...(handlers as RequestHandler[]));
  }
  return router;
}
