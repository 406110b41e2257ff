import type { Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import { fenToInput } from '../../../shared/money';
import { actorOf } from '../../../web/actor';
import { Forbidden, InvalidState, NotFound } from '../../../web/errors';
import { flash } from '../../../web/flash';
import { parseForm, type FormValues } from '../../../web/forms';
import { EVALUATION_SOURCES } from '../../calls';
import { canManageContract, canReadContract, isPartyB } from '../policy';
import { findContract, termsOf, versionInForce, type ContractView } from '../queries';
import { pathId, rejectSchema } from '../schemas';
import {
  acceptAmendment,
  AMENDMENT_ASPECTS,
  notifyAmendmentUncovered,
  proposeAmendment,
  rejectAmendment,
  withdrawAmendment,
} from '../service/amendments';
import { InsufficientFunds } from '../ports';
import { MAX_MILESTONE_ROWS, mf, rowCount, SHARE_UNITS, termsToValues } from '../terms';
import type { PageHandlers } from './pages';
import { submitScheduleForm } from './render';

/** Amendments (变更): the manager's proposal form; the organization accepts or rejects. */
export function amendmentHandlers(deps: AppDeps, pages: PageHandlers) {
  async function loadActive(req: Request): Promise<ContractView> {
    const c = await findContract(deps.db, pathId(req.params.contractId));
    if (!c || !canReadContract(req.user, c)) throw new NotFound();
    if (!canManageContract(req.user, c)) throw new Forbidden('contracts.errors.notYourStreet');
    if (c.status !== 'active') throw new InvalidState('contracts.errors.notActive');
    return c;
  }

  async function render(
    req: Request,
    res: Response,
    c: ContractView,
    status: number,
    values: FormValues,
    errors: Record<string, string>,
  ) {
    const version = await versionInForce(deps.db, c.id);
    res.status(status).render('contracts/edit', {
      title: req.t('contracts.amend.title', { number: c.number }),
      contract: c,
      amountFen: Number(version!.amount_fen),
      sources: JSON.parse(version!.sources_json),
      values,
      errors,
      rows: rowCount(values),
      maxRows: MAX_MILESTONE_ROWS,
      mf,
      units: SHARE_UNITS,
      evaluationSources: EVALUATION_SOURCES,
      action: `/contracts/${c.id}/amendments`,
      amendment: true,
      aspects: AMENDMENT_ASPECTS,
    });
  }

  async function form(req: Request, res: Response) {
    const c = await loadActive(req);
    const version = await versionInForce(deps.db, c.id);
    if (!version) throw new NotFound();
    const terms = termsOf(version);
    await render(req, res, c, 200, { ...termsToValues(terms, fenToInput), amount: fenToInput(terms.amountFen) }, {});
  }

  async function propose(req: Request, res: Response) {
    const c = await loadActive(req);
    await submitScheduleForm(req, res, {
      contractId: c.id,
      show: (status, values, errors) => render(req, res, c, status, values, errors),
      run: () => proposeAmendment(deps, actorOf(req), req.user!, c.id, req.body),
      doneKey: 'contracts.amend.proposed',
    });
  }

  async function accept(req: Request, res: Response) {
    const contractId = pathId(req.params.contractId);
    try {
      await acceptAmendment(deps, actorOf(req), req.user!, contractId, pathId(req.params.versionId));
    } catch (err) {
      if (!(err instanceof InsufficientFunds)) throw err;
      // Nothing changed; the manager hears of it, party B sees why on the contract page.
      await notifyAmendmentUncovered(deps, contractId, {
        source: String(err.params.source),
        shortfallMoney: String(err.params.shortfallMoney),
      });
      return pages.showWith(req, res, 422, {
        formError: `${req.t(err.messageKey, err.params)} ${req.t('contracts.amend.uncoveredHint')}`,
      });
    }
    flash(req, 'success', req.t('contracts.amend.accepted'));
    res.redirect(303, `/contracts/${pathId(req.params.contractId)}`);
  }

  async function reject(req: Request, res: Response) {
    const form = parseForm(rejectSchema, req.body, req.t);
    if (!form.ok) {
      const c = await findContract(deps.db, pathId(req.params.contractId));
      if (!c || !canReadContract(req.user, c)) throw new NotFound();
      if (!isPartyB(req.user, c)) throw new Forbidden('contracts.errors.notPartyB');
      return pages.showWith(req, res, 422, { values: form.values, errors: form.errors, open: 'reject' });
    }
    await rejectAmendment(
      deps,
      actorOf(req),
      req.user!,
      pathId(req.params.contractId),
      pathId(req.params.versionId),
      form.data.comment,
    );
    flash(req, 'success', req.t('contracts.amend.rejected'));
    res.redirect(303, `/contracts/${pathId(req.params.contractId)}`);
  }

  async function withdraw(req: Request, res: Response) {
    await withdrawAmendment(deps, actorOf(req), req.user!, pathId(req.params.contractId), pathId(req.params.versionId));
    flash(req, 'success', req.t('contracts.amend.withdrawn'));
    res.redirect(303, `/contracts/${pathId(req.params.contractId)}`);
  }

  return { form, propose, accept, reject, withdraw };
}
