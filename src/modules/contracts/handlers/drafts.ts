import type { Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import { fenToInput } from '../../../shared/money';
import { actorOf } from '../../../web/actor';
import { Forbidden, InvalidState, NotFound } from '../../../web/errors';
import { flash } from '../../../web/flash';
import type { FormValues } from '../../../web/forms';
import { EVALUATION_SOURCES } from '../../calls';
import { canManageContract, canReadContract } from '../policy';
import { findContract, termsOf, versionInForce, type ContractView } from '../queries';
import { pathId } from '../schemas';
import { createContract, saveDraft } from '../service/drafting';
import { MAX_MILESTONE_ROWS, mf, rowCount, SHARE_UNITS, termsToValues } from '../terms';
import { submitScheduleForm } from './render';

/** Creating a contract from an award item, and the manager's draft form (milestones without JavaScript). */
export function draftHandlers(deps: AppDeps) {
  async function create(req: Request, res: Response) {
    const id = await createContract(
      deps,
      actorOf(req),
      req.user!,
      pathId(req.params.awardId),
      pathId(req.params.itemId),
    );
    flash(req, 'success', req.t('contracts.draft.created'));
    res.redirect(303, `/contracts/${id}/edit`);
  }

  async function loadDraft(req: Request): Promise<ContractView> {
    const c = await findContract(deps.db, pathId(req.params.contractId));
    if (!c || !canReadContract(req.user, c)) throw new NotFound();
    if (!canManageContract(req.user, c)) throw new Forbidden('contracts.errors.notYourStreet');
    if (c.status !== 'draft') throw new InvalidState('contracts.errors.notDraft');
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
    const sources = JSON.parse(version!.sources_json) as { source: string; amountFen: number }[];
    res.status(status).render('contracts/edit', {
      title: req.t('contracts.draft.title', { number: c.number }),
      contract: c,
      amountFen: Number(version!.amount_fen),
      sources,
      values,
      errors,
      rows: rowCount(values),
      maxRows: MAX_MILESTONE_ROWS,
      mf,
      units: SHARE_UNITS,
      evaluationSources: EVALUATION_SOURCES,
      action: `/contracts/${c.id}`,
      amendment: false,
    });
  }

  async function editForm(req: Request, res: Response) {
    const c = await loadDraft(req);
    const version = await versionInForce(deps.db, c.id);
    if (!version) throw new NotFound();
    await render(req, res, c, 200, termsToValues(termsOf(version), fenToInput), {});
  }

  /** Save, or "add a row" (re-shows the form with one more blank row; nothing is written). */
  async function save(req: Request, res: Response) {
    const c = await loadDraft(req);
    await submitScheduleForm(req, res, {
      contractId: c.id,
      show: (status, values, errors) => render(req, res, c, status, values, errors),
      run: () => saveDraft(deps, actorOf(req), req.user!, c.id, req.body),
      doneKey: 'contracts.draft.saved',
    });
  }

  return { create, editForm, save };
}
