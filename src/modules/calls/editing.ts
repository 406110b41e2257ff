import type { Request, Response } from 'express';
import { translateProblems } from '../../web/problems';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { once } from '../../web/once';
import { InvalidState } from '../../web/errors';
import { submitForm } from '../../web/submit';
import { formValues } from '../../web/forms';
import { filesToChooseAgain, uploadedFiles } from '../../files/uploads';
import { ALLOWED_EXTENSIONS } from '../../files/signatures';
import { shanghaiYear } from '../../shared/time';
import { usableItems, PROCUREMENT_METHODS, parseModuleForm } from '../catalog';
import { FUND_SOURCES, streetYearBalances } from '../funds';
import { toCallInput } from './input';
import { callLoaders } from './load';
import { effectiveStatus } from './policy';
import { formValuesOf } from './present';
import * as q from './queries';
import {
  amountField,
  callFormSchema,
  criterionNameField,
  criterionWeightField,
  DEFAULT_CITIZEN_MIN_RATINGS,
  DEFAULT_MAX_ADVANCE_PERCENT,
  DEFAULT_PUBLICITY_DAYS,
  DEFAULT_REVIEW_DAYS,
  FUNDING_MODES,
  weightField,
  type CallForm,
} from './schemas';
import * as service from './service';
import { CRITERION_ROWS, DEFAULT_EVALUATION_WEIGHTS, EVALUATION_SOURCES } from './weights';

export const MAX_DOCUMENTS = 5;

/** The call form: drafting a new call, editing a draft, amending a published call. */
export function editingHandlers(deps: AppDeps) {
  const { loadManaged } = callLoaders(deps);

  async function renderForm(
    req: Request,
    res: Response,
    status: number,
    locals: {
      call: q.CallView | null;
      values: Record<string, string>;
      errors?: Record<string, string>;
      formError?: string | null;
    },
  ) {
    const user = req.user!;
    const year = Number(locals.values.budgetYear) || shanghaiYear(deps.clock.now());
    const [items, balances] = await Promise.all([
      usableItems(deps.db, user.streetOfficeId!),
      streetYearBalances(deps.db, user.streetOfficeId!, year),
    ]);
    res.status(status).render('calls/form', {
      title: locals.call
        ? locals.call.status === 'draft'
          ? req.t('calls.editTitle')
          : req.t('calls.amendTitle')
        : req.t('calls.newTitle'),
      items,
      balances,
      balanceYear: year,
      fundingModes: FUNDING_MODES,
      methods: PROCUREMENT_METHODS,
      fundSources: FUND_SOURCES,
      evaluationSources: EVALUATION_SOURCES,
      criterionRows: CRITERION_ROWS,
      names: { amountField, weightField, criterionNameField, criterionWeightField },
      allowed: ALLOWED_EXTENSIONS.join(', '),
      maxMb: Math.round(deps.config.uploadMaxBytes / 1024 / 1024),
      maxDocuments: MAX_DOCUMENTS,
      errors: {},
      formError: null,
      ...locals,
    });
  }

  async function newForm(req: Request, res: Response) {
    const values: Record<string, string> = {
      budgetYear: String(shanghaiYear(deps.clock.now())),
      publicityDays: String(DEFAULT_PUBLICITY_DAYS),
      maxAdvancePercent: String(DEFAULT_MAX_ADVANCE_PERCENT),
      reviewDays: String(DEFAULT_REVIEW_DAYS),
      citizenMinRatings: String(DEFAULT_CITIZEN_MIN_RATINGS),
      fundingMode: 'project_purchase',
      method: 'contract_outsourcing',
    };
    for (const s of EVALUATION_SOURCES) values[weightField(s)] = String(DEFAULT_EVALUATION_WEIGHTS[s]);
    if (typeof req.query.item === 'string' && /^\d{1,9}$/.test(req.query.item)) values.catalogItemId = req.query.item;
    await renderForm(req, res, 200, { call: null, values });
  }

  async function editForm(req: Request, res: Response) {
    const call = await loadManaged(req);
    if (!['draft', 'published'].includes(effectiveStatus(call, deps.clock.now())))
      throw new InvalidState('calls.errors.notEditable');
    const [sources, criteria] = await Promise.all([q.callSources(deps.db, call.id), q.callCriteria(deps.db, call.id)]);
    await renderForm(req, res, 200, { call, values: formValuesOf(call, sources, criteria) });
  }

  /** Parse, check and save; on any refusal the same form comes back with the typed values. */
  async function submit(req: Request, res: Response, call: q.CallView | null) {
    await submitForm(req, res, {
      again: ({ status, errors, values, formError }) => {
        // The chosen documents are not kept by a refused form: say so next to the file field.
        const dropped = filesToChooseAgain(req).documents;
        const withFiles =
          dropped && !errors.documents
            ? {
                ...errors,
                documents: req.t('uploads.chooseAgain', { names: dropped.join(req.lang === 'en' ? ', ' : '、') }),
              }
            : errors;
        return renderForm(req, res, status, { call, values, errors: withFiles, formError });
      },
      uploadField: 'documents',
      parse: (body) => {
        const form = parseModuleForm(callFormSchema, body, req.t);
        if (!form.ok) return form;
        const { input, problems } = toCallInput(form.data as CallForm, deps.clock.now());
        return Object.keys(problems).length
          ? { ok: false, errors: translateProblems(req, problems), values: formValues(body) }
          : { ok: true, data: input };
      },
      // A document whose content does not match its extension (storeFile) names the allowed types.
      messageParams: { allowed: ALLOWED_EXTENSIONS.join(', ') },
      onForm: [InvalidState],
      run: async (input) => {
        const files = uploadedFiles(req, 'documents');
        if (!call) {
          const id = await once(req, deps.db, 'calls.draft', (actor) =>
            service.createDraft(deps, actor, req.user!, input, files),
          );
          return { redirect: `/calls/${id}`, flash: req.t('calls.drafted') };
        }
        const outcome = await service.saveCall(deps, actorOf(req), req.user!, call.id, input, files);
        return {
          redirect: `/calls/${call.id}`,
          flash: req.t(`calls.outcome.${outcome}`),
          flashType: outcome === 'unchanged' ? 'info' : 'success',
        };
      },
    });
  }

  const create = (req: Request, res: Response) => submit(req, res, null);
  const update = async (req: Request, res: Response) => submit(req, res, await loadManaged(req));

  return { newForm, editForm, create, update };
}
