import type { Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import { actorOf } from '../../../web/actor';
import { flash } from '../../../web/flash';
import { parseForm } from '../../../web/forms';
import { pathId, returnSchema, terminateSchema } from '../schemas';
import { acceptContract, returnContract, sendContract, signContract } from '../service/signing';
import { terminateContract } from '../service/ending';
import type { PageHandlers } from './pages';
import { NotFound, Forbidden } from '../../../web/errors';
import { findContract } from '../queries';
import { canManageContract, canReadContract, isPartyB } from '../policy';

/** Send, return, accept, sign, terminate: each a POST that redirects to the contract page. */
export function signingHandlers(deps: AppDeps, pages: PageHandlers) {
  /** A refused form is shown again only to someone who may do the thing at all. */
  async function mayAct(req: Request, side: 'partyB' | 'manager') {
    const c = await findContract(deps.db, pathId(req.params.contractId));
    if (!c || !canReadContract(req.user, c)) throw new NotFound();
    if (side === 'partyB' ? !isPartyB(req.user, c) : !canManageContract(req.user, c))
      throw new Forbidden(side === 'partyB' ? 'contracts.errors.notPartyB' : 'contracts.errors.notYourStreet');
  }
  const back = (req: Request, res: Response, key: string) => {
    flash(req, 'success', req.t(key));
    res.redirect(303, `/contracts/${pathId(req.params.contractId)}`);
  };
  return {
    async send(req: Request, res: Response) {
      await sendContract(deps, actorOf(req), req.user!, pathId(req.params.contractId));
      back(req, res, 'contracts.sign.sent');
    },
    async giveBack(req: Request, res: Response) {
      const form = parseForm(returnSchema, req.body, req.t);
      if (!form.ok) {
        await mayAct(req, 'partyB');
        return pages.showWith(req, res, 422, { values: form.values, errors: form.errors, open: 'return' });
      }
      await returnContract(deps, actorOf(req), req.user!, pathId(req.params.contractId), form.data.comment);
      back(req, res, 'contracts.sign.returned');
    },
    async accept(req: Request, res: Response) {
      await acceptContract(deps, actorOf(req), req.user!, pathId(req.params.contractId));
      back(req, res, 'contracts.sign.accepted');
    },
    async sign(req: Request, res: Response) {
      await signContract(deps, actorOf(req), req.user!, pathId(req.params.contractId));
      back(req, res, 'contracts.sign.signed');
    },
    async terminate(req: Request, res: Response) {
      const form = parseForm(terminateSchema, req.body, req.t);
      if (!form.ok) {
        await mayAct(req, 'manager');
        return pages.showWith(req, res, 422, { values: form.values, errors: form.errors, open: 'terminate' });
      }
      await terminateContract(deps, actorOf(req), req.user!, pathId(req.params.contractId), form.data.reason);
      back(req, res, 'contracts.end.terminated');
    },
  };
}
