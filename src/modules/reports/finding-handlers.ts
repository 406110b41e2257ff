import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { pageNumber } from '../../shared/pagination';
import { actorOf } from '../../web/actor';
import { submitForm } from '../../web/submit';
import { flash } from '../../web/flash';
import { parseForm, type FormValues } from '../../web/forms';
import { answerFinding, findingById, listFindings, recordFinding } from './findings';
import { canAnswerFinding, readableStreetIds } from './policy';
import { answerSchema, findingSchema, FINDING_SUBJECTS, pathId } from './schemas';

/** 审计意见: the list, the auditor's form and record, the finding's page and the manager's answer. */
export function findingHandlers(deps: AppDeps) {
  async function renderForm(
    req: Request,
    res: Response,
    status: number,
    values: FormValues,
    errors: Record<string, string> = {},
  ) {
    const ids = await readableStreetIds(deps.db, req.user!);
    const streets = ids.length
      ? await deps.db('street_offices').whereIn('id', ids).orderBy('id').select('id', 'name')
      : [];
    res.status(status).render('reports/finding-new', {
      title: req.t('reports.findings.new'),
      values,
      errors,
      streets,
      subjects: FINDING_SUBJECTS,
    });
  }

  async function renderShow(
    req: Request,
    res: Response,
    id: number,
    status = 200,
    values: FormValues = {},
    errors: Record<string, string> = {},
  ) {
    const finding = await findingById(deps.db, req.user!, id);
    res.status(status).render('reports/finding', {
      title: finding.title,
      finding,
      canAnswer: finding.status === 'open' && canAnswerFinding(req.user!, finding.street_office_id),
      values,
      errors,
    });
  }

  return {
    async list(req: Request, res: Response) {
      const page = await listFindings(deps.db, req.user!, pageNumber(req.query.page));
      res.render('reports/findings', {
        title: req.t('reports.findings.title'),
        page,
        canRecord: req.user!.role === 'auditor',
      });
    },
    async form(req: Request, res: Response) {
      const q = req.query as Record<string, unknown>;
      const pick = (k: string) => (typeof q[k] === 'string' ? String(q[k]) : '');
      await renderForm(req, res, 200, {
        subject_type: pick('subject_type') || 'contract',
        subject_id: pick('subject_id'),
        street: pick('street'),
        year: pick('year'),
      });
    },
    async create(req: Request, res: Response) {
      await submitForm(req, res, {
        schema: findingSchema,
        again: ({ status, errors, values }) => renderForm(req, res, status, values, errors),
        run: async (data) => {
          const id = await recordFinding(deps, actorOf(req), req.user!, data);
          return { redirect: `/findings/${id}`, flash: req.t('reports.findings.recorded') };
        },
      });
    },
    async show(req: Request, res: Response) {
      await renderShow(req, res, pathId(req.params.findingId));
    },
    async answer(req: Request, res: Response) {
      const id = pathId(req.params.findingId);
      const parsed = parseForm(answerSchema, req.body, req.t);
      if (!parsed.ok) return renderShow(req, res, id, 422, parsed.values, parsed.errors);
      await answerFinding(deps, actorOf(req), req.user!, id, parsed.data.answer);
      flash(req, 'success', req.t('reports.findings.answered'));
      res.redirect(303, `/findings/${id}`);
    },
  };
}
