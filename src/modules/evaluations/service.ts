import type { Knex } from 'knex';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { isUniqueViolation } from '../../db/errors';
import { returnedId } from '../../db/knex';
import type { AppDeps } from '../../deps';
import { extensionOf } from '../../files/signatures';
import { storeFile, withFileCleanup } from '../../files/storage';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { lockContractMilestone, type ContractMilestone } from '../contracts';
import { managersOf, notify, staffOf } from '../notifications';
import { openEvaluation } from './evaluation';
import { evaluationOf } from './results';
import { canReadReports, canReturnReport, canWriteReport } from './policy';
import { evidenceOf, openReport, type ReportRow } from './queries';
import { EVIDENCE_EXTENSIONS, type ReportInput } from './schemas';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

const reportLink = (m: { contract_id: number; seq: number }) =>
  `/contracts/${m.contract_id}/milestones/${m.seq}/report`;

/** The milestone, locked with its contract; NotFound for anyone who may not read its reports. */
async function lockedMilestone(
  trx: Knex.Transaction,
  user: SessionUser,
  contractId: number,
  seq: number,
): Promise<ContractMilestone> {
  const m = await lockContractMilestone(trx, contractId, seq);
  if (!m || !canReadReports(user, m)) throw new NotFound();
  return m;
}

const reportColumns = (input: ReportInput) => ({
  delivered_json: JSON.stringify(input.delivered),
  people_served: input.peopleServed,
  sessions_held: input.sessionsHeld,
  problems: input.problems,
  self_score: input.selfScore,
  self_comment: input.selfComment,
});

/**
 * The organization saves its report as a draft, or submits it (`submit`). One transaction: the
 * draft is created (the next version, starting with the evidence of a returned one) or updated,
 * new evidence stored, files removed from the draft, and on submission the version is fixed and
 * the street's managers notified. A submitted version cannot change (409); two submissions at once
 * make one (the contract row is locked, and a partial unique index allows one open version).
 */
export async function saveReport(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  input: ReportInput,
  files: Express.Multer.File[],
  submit: boolean,
): Promise<ReportRow['status']> {
  const now = deps.clock.now();
  const at = now.toISOString();
  for (const f of files)
    if (!EVIDENCE_EXTENSIONS.includes(extensionOf(f.originalname)))
      throw new ValidationFailed({ files: 'evaluations.errors.evidenceType' });
  return withFileCleanup(deps.config.uploadDir, (written) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const m = await lockedMilestone(trx, user, contractId, seq);
      if (!canWriteReport(user, m)) throw new Forbidden('evaluations.errors.notYourContract');
      if (m.contract_status !== 'active') throw new InvalidState('evaluations.errors.contractNotActive');
      if (m.settlement) throw new InvalidState('evaluations.errors.settled');
      const open = await openReport(trx, contractId, seq);
      if (open?.status === 'submitted') throw new InvalidState('evaluations.errors.alreadySubmitted');
      let reportId: number;
      let version: number;
      if (open) {
        reportId = open.id;
        version = open.version;
        const n = await trx('milestone_reports')
          .where({ id: open.id, status: 'draft' })
          .update({ ...reportColumns(input), updated_at: at });
        if (n !== 1) throw new InvalidState('evaluations.errors.alreadySubmitted');
        if (input.removeFileIds.length)
          await trx('milestone_report_files')
            .where({ report_id: open.id })
            .whereIn('file_id', input.removeFileIds)
            .delete();
      } else {
        const previous = await trx('milestone_reports')
          .where({ contract_id: contractId, milestone_seq: seq })
          .orderBy('version', 'desc')
          .first('id', 'version');
        version = previous ? Number(previous.version) + 1 : 1;
        const [inserted] = await trx('milestone_reports')
          .insert({
            contract_id: contractId,
            milestone_seq: seq,
            organization_id: m.organization_id,
            street_office_id: m.street_office_id,
            version,
            status: 'draft',
            ...reportColumns(input),
            created_by: user.id,
            created_at: at,
            updated_at: at,
          })
          .returning('id');
        reportId = returnedId(inserted);
        if (previous) {
          // The returned version's evidence carries over (the rows of stored_files are shared).
          const carried = (await evidenceOf(trx, [Number(previous.id)])).filter(
            (f) => !input.removeFileIds.includes(f.file_id),
          );
          if (carried.length)
            await trx('milestone_report_files').insert(
              carried.map((f) => ({ report_id: reportId, file_id: f.file_id, created_at: at })),
            );
        }
      }
      const added: { name: string; sha256: string; size: number }[] = [];
      for (const file of files) {
        const stored = await storeFile(trx, deps.config.uploadDir, file, 'files', user.id, now);
        written.push(stored.storage_key);
        await trx('milestone_report_files').insert({ report_id: reportId, file_id: stored.id, created_at: at });
        added.push({ name: stored.original_name, sha256: stored.sha256, size: stored.size_bytes });
      }
      const events = [
        {
          action: 'milestone_report.save',
          subjectType: 'milestone_report',
          subjectId: reportId,
          streetOfficeId: m.street_office_id,
          organizationId: m.organization_id,
          after: {
            contract_id: contractId,
            milestone_seq: seq,
            version,
            ...reportColumns(input),
            files_added: added,
            files_removed: input.removeFileIds,
          },
        },
      ];
      if (submit) {
        const evidence = await trx('milestone_report_files').where({ report_id: reportId }).count({ n: '*' }).first();
        if (Number(evidence?.n ?? 0) === 0)
          throw new ValidationFailed({ files: 'evaluations.errors.evidenceRequired' });
        const n = await trx('milestone_reports')
          .where({ id: reportId, status: 'draft' })
          .update({ status: 'submitted', submitted_by: user.id, submitted_at: at, updated_at: at });
        if (n !== 1) throw new InvalidState('evaluations.errors.alreadySubmitted');
        await openEvaluation(trx, m, reportId, now);
        await notify(
          trx,
          await managersOf(trx, m.street_office_id),
          {
            kind: 'milestone.report_submitted',
            messageKey: 'evaluations.notifications.reportSubmitted',
            params: { number: m.contract_number, milestone: m.title },
            link: reportLink(m),
            subjectType: 'milestone_report',
            subjectId: reportId,
          },
          now,
        );
        events.push({
          action: 'milestone_report.submit',
          subjectType: 'milestone_report',
          subjectId: reportId,
          streetOfficeId: m.street_office_id,
          organizationId: m.organization_id,
          after: { contract_id: contractId, milestone_seq: seq, version, status: 'submitted' } as never,
        });
      }
      return { result: (submit ? 'submitted' : 'draft') as ReportRow['status'], audit: events };
    }),
  ).catch((err: unknown) => {
    if (isUniqueViolation(err)) throw new InvalidState('evaluations.errors.alreadySubmitted');
    throw err;
  });
}

/**
 * The street's manager returns the submitted version for correction with a reason: it becomes
 * `returned` (kept as it was), the organization's staff are notified and start the next version.
 */
export async function returnReport(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  reason: string,
): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const m = await lockedMilestone(trx, user, contractId, seq);
    if (!canReturnReport(user, m)) throw new Forbidden('evaluations.errors.notYourStreet');
    if (m.contract_status !== 'active') throw new InvalidState('evaluations.errors.contractNotActive');
    const open = await openReport(trx, contractId, seq);
    if (!open || open.status !== 'submitted') throw new InvalidState('evaluations.errors.nothingToReturn');
    if ((await evaluationOf(trx, contractId, seq))?.status === 'closed')
      throw new InvalidState('evaluations.errors.evaluationClosed');
    const n = await trx('milestone_reports')
      .where({ id: open.id, status: 'submitted' })
      .update({ status: 'returned', returned_by: user.id, returned_at: at, return_reason: reason, updated_at: at });
    if (n !== 1) throw new InvalidState('evaluations.errors.nothingToReturn');
    await notify(
      trx,
      await staffOf(trx, [m.organization_id]),
      {
        kind: 'milestone.report_returned',
        messageKey: 'evaluations.notifications.reportReturned',
        params: { number: m.contract_number, milestone: m.title },
        link: reportLink(m),
        subjectType: 'milestone_report',
        subjectId: open.id,
      },
      now,
    );
    return {
      result: undefined,
      audit: {
        action: 'milestone_report.return',
        subjectType: 'milestone_report',
        subjectId: open.id,
        streetOfficeId: m.street_office_id,
        organizationId: m.organization_id,
        before: { status: 'submitted', version: open.version },
        after: { status: 'returned', reason },
      },
    };
  });
}
