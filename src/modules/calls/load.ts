import type { Request } from 'express';
import type { AppDeps } from '../../deps';
import { idParam } from '../../web/path-id';
import { Forbidden, NotFound } from '../../web/errors';
import { canManageCall, canSeeCall } from './policy';
import * as q from './queries';

/** Loads a call the user may see; a draft of another street office is not found, not even its title. */
export function callLoaders(deps: AppDeps) {
  async function load(req: Request) {
    const call = await q.findCall(deps.db, idParam(req));
    if (!call || !canSeeCall(req.user, call)) throw new NotFound();
    return call;
  }
  /** The same, for one of the call's street office's managers. */
  async function loadManaged(req: Request) {
    const call = await load(req);
    if (!canManageCall(req.user, call)) throw new Forbidden('calls.errors.notYours');
    return call;
  }
  return { load, loadManaged };
}
