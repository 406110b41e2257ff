import type { Knex } from 'knex';
import { auditedTransaction, type Actor } from '../../audit/audit';
import type { Queryable } from '../../db/knex';
import type { Clock } from '../../shared/clock';
import { paginate } from '../../shared/pagination';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { managersOf, notify } from '../notifications';
import { canAnswerFinding, canReadFinding, canRecordFinding, readableStreetIds } from './policy';
import { MAX_YEAR, MIN_YEAR, type FindingInput } from './schemas';

/**
 * 审计意见: an auditor records a finding on a contract, a payment or a street-year of a street office
 * assigned to them; a manager of that street office answers it in writing, once. Both are audited
 * (`finding.record`, `finding.answer`) and notified (the street's managers; the auditor).
 */
interface Deps {
  db: Knex;
  clock: Clock;
}

export interface FindingRow {
  id: number;
  street_office_id: number;
  street_name: string;
  subject_type: 'contract' | 'payment' | 'street_year';
  contract_id: number | null;
  contract_number: string | null;
  payment_id: number | null;
  year: number | null;
  title: string;
  body: string;
  auditor_id: number;
  auditor_name: string;
  created_at: string;
  status: 'open' | 'answered';
  answer: string | null;
  answered_by: number | null;
  answerer_name: string | null;
  answered_at: string | null;
}

function findingsBase(db: Queryable) {
  return db('audit_findings as f')
    .join('street_offices as s', 's.id', 'f.street_office_id')
    .join('users as a', 'a.id', 'f.auditor_id')
    .leftJoin('users as m', 'm.id', 'f.answered_by')
    .leftJoin('contracts as c', 'c.id', 'f.contract_id');
}
const COLUMNS = [
  'f.*',
  's.name as street_name',
  'a.display_name as auditor_name',
  'm.display_name as answerer_name',
  'c.number as contract_number',
];

const normalize = (r: Record<string, unknown>): FindingRow => ({
  ...(r as unknown as FindingRow),
  id: Number(r.id),
  street_office_id: Number(r.street_office_id),
  contract_id: r.contract_id === null ? null : Number(r.contract_id),
  payment_id: r.payment_id === null ? null : Number(r.payment_id),
  year: r.year === null ? null : Number(r.year),
  auditor_id: Number(r.auditor_id),
});

/** Where the finding's subject belongs: its street office (and contract). A subject outside the
 *  auditor's streets is the same 404 as one that does not exist (a forged id learns nothing). */
async function subjectOf(
  db: Queryable,
  user: SessionUser,
  input: FindingInput,
): Promise<{ streetOfficeId: number; contractId: number | null; paymentId: number | null; year: number | null }> {
  if (input.subject_type === 'contract') {
    const c = input.subject_id
      ? await db('contracts').where({ id: input.subject_id }).first('id', 'street_office_id')
      : undefined;
    if (!c || !canRecordFinding(user, Number(c.street_office_id)))
      throw new NotFound('reports.findings.errors.noSuchContract');
    return { streetOfficeId: Number(c.street_office_id), contractId: Number(c.id), paymentId: null, year: null };
  }
  if (input.subject_type === 'payment') {
    // Payments are the payments module's table (it may not exist yet on an older schema).
    const p =
      input.subject_id && (await db.schema.hasTable('payments'))
        ? await db('payments').where({ id: input.subject_id }).first('id', 'street_office_id', 'contract_id')
        : undefined;
    if (!p || !canRecordFinding(user, Number(p.street_office_id)))
      throw new NotFound('reports.findings.errors.noSuchPayment');
    return {
      streetOfficeId: Number(p.street_office_id),
      contractId: Number(p.contract_id),
      paymentId: Number(p.id),
      year: null,
    };
  }
  const errors: Record<string, string> = {};
  if (!input.street) errors.street = 'reports.findings.errors.street';
  if (!input.year) errors.year = 'reports.errors.yearFormat';
  else if (input.year < MIN_YEAR || input.year > MAX_YEAR) errors.year = 'reports.errors.yearRange';
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  if (!canRecordFinding(user, input.street!)) throw new NotFound('reports.errors.streetNotAssigned');
  return { streetOfficeId: input.street!, contractId: null, paymentId: null, year: input.year! };
}

export async function recordFinding(deps: Deps, actor: Actor, user: SessionUser, input: FindingInput): Promise<number> {
  if (user.role !== 'auditor') throw new Forbidden();
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const s = await subjectOf(trx, user, input);
    const at = now.toISOString();
    const [row] = await trx('audit_findings')
      .insert({
        street_office_id: s.streetOfficeId,
        subject_type: input.subject_type,
        contract_id: s.contractId,
        payment_id: s.paymentId,
        year: s.year,
        title: input.title,
        body: input.body,
        auditor_id: user.id,
        created_at: at,
        status: 'open',
      })
      .returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    await notify(
      trx,
      await managersOf(trx, s.streetOfficeId),
      {
        kind: 'finding.recorded',
        messageKey: 'reports.findings.notifications.recorded',
        params: { title: input.title },
        link: `/findings/${id}`,
        subjectType: 'audit_finding',
        subjectId: id,
      },
      now,
    );
    return {
      result: id,
      audit: {
        action: 'finding.record',
        subjectType: 'audit_finding',
        subjectId: id,
        streetOfficeId: s.streetOfficeId,
        after: {
          subject_type: input.subject_type,
          contract_id: s.contractId,
          payment_id: s.paymentId,
          year: s.year,
          title: input.title,
          body: input.body,
        },
      },
    };
  });
}

export async function answerFinding(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  findingId: number,
  answer: string,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const f = findingId ? await trx('audit_findings').where({ id: findingId }).first() : undefined;
    if (!f || !canReadFinding(user, Number(f.street_office_id))) throw new NotFound();
    if (!canAnswerFinding(user, Number(f.street_office_id)))
      throw new Forbidden('reports.findings.errors.notYourStreet');
    const at = now.toISOString();
    const n = await trx('audit_findings')
      .where({ id: findingId, status: 'open' })
      .update({ status: 'answered', answer, answered_by: user.id, answered_at: at });
    if (n !== 1) throw new InvalidState('reports.findings.errors.alreadyAnswered');
    await notify(
      trx,
      [Number(f.auditor_id)],
      {
        kind: 'finding.answered',
        messageKey: 'reports.findings.notifications.answered',
        params: { title: f.title },
        link: `/findings/${findingId}`,
        subjectType: 'audit_finding',
        subjectId: findingId,
      },
      now,
    );
    return {
      result: undefined,
      audit: {
        action: 'finding.answer',
        subjectType: 'audit_finding',
        subjectId: findingId,
        streetOfficeId: Number(f.street_office_id),
        before: { status: 'open' },
        after: { status: 'answered', answer },
      },
    };
  });
}

export async function findingById(db: Queryable, user: SessionUser, id: number): Promise<FindingRow> {
  const r = id ? await findingsBase(db).where('f.id', id).first(COLUMNS) : undefined;
  if (!r || !canReadFinding(user, Number(r.street_office_id))) throw new NotFound();
  return normalize(r);
}

/** The findings the user may read (the auditor's streets, the manager's street, all for the admin), newest first. */
export async function listFindings(db: Queryable, user: SessionUser, page: number) {
  const streets = await readableStreetIds(db, user);
  const base = findingsBase(db).whereIn('f.street_office_id', streets.length ? streets : [0]);
  const p = await paginate<Record<string, unknown>>(base, page, (q) => q.select(COLUMNS).orderBy('f.id', 'desc'));
  return { ...p, items: p.items.map(normalize) };
}

/** A contract's findings, for its dossier (oldest first). */
export async function findingsOfContract(db: Queryable, contractId: number): Promise<FindingRow[]> {
  return (await findingsBase(db).where('f.contract_id', contractId).orderBy('f.id').select(COLUMNS)).map(normalize);
}
