import { auditedTransaction, type Actor, type AuditInput } from '../../../audit/audit';
import { returnedId } from '../../../db/knex';
import { isUniqueViolation } from '../../../db/errors';
import { discardFile, storeFile } from '../../../files/storage';
import { formatDateTime } from '../../../shared/time';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { moveCall } from '../../calls';
import { moveAward, moveObjection } from '../lifecycle';
import { managersOf, notify, staffOf } from '../../notifications';
import { canManageAward, objectionRefusal } from '../policy';
import { submittedBidderIds } from '../ranking';
import { lockCall, lockedAward, type Deps } from './common';

export interface ObjectionInput {
  reasons: string;
}

/**
 * A bidder's staff lodge an objection (质疑) during the publicity period, with attachments. The
 * award row is locked, so an objection and the confirmation cannot cross; the clock decides the end.
 */
export async function lodgeObjection(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  awardId: number,
  input: ObjectionInput,
  files: Express.Multer.File[],
): Promise<number> {
  const now = deps.clock.now();
  const written: string[] = [];
  try {
    return await auditedTransaction(deps.db, actor, now, async (trx) => {
      const award = await lockedAward(trx, awardId);
      const call = await lockCall(trx, award.call_id);
      const refusal = objectionRefusal(user, award, await submittedBidderIds(trx, call.id), now);
      if (refusal) {
        const params = { at: formatDateTime(award.publicity_ends_at) };
        throw refusal.status === 403 ? new Forbidden(refusal.key, params) : new InvalidState(refusal.key, params);
      }
      // One open objection per organization and award (a partial unique index too): the award row is
      // locked, so this check and the insert cannot be crossed by another objection on it.
      if (
        await trx('objections')
          .where({ award_id: awardId, organization_id: user.organizationId, status: 'open' })
          .first('id')
      ) {
        throw new ValidationFailed({ reasons: 'awards.errors.objectionOpen' });
      }
      const [inserted] = await trx('objections')
        .insert({
          award_id: awardId,
          call_id: call.id,
          organization_id: user.organizationId,
          reasons: input.reasons,
          status: 'open',
          lodged_by: user.id,
          lodged_at: now.toISOString(),
        })
        .returning('id');
      const objectionId = returnedId(inserted);
      const names: string[] = [];
      for (const file of files) {
        const stored = await storeFile(trx, deps.config.uploadDir, file, 'files', user.id, now);
        written.push(stored.storage_key);
        await trx('objection_files').insert({
          objection_id: objectionId,
          file_id: stored.id,
          created_at: now.toISOString(),
        });
        names.push(stored.original_name);
      }
      await notify(
        trx,
        await managersOf(trx, call.street_office_id),
        {
          kind: 'objection.lodged',
          messageKey: 'notifications.messages.objectionLodged',
          params: { call: call.title },
          link: `/awards/${awardId}/objections/${objectionId}`,
          subjectType: 'objection',
          subjectId: objectionId,
        },
        now,
      );
      return {
        result: objectionId,
        audit: {
          action: 'objection.lodge',
          subjectType: 'objection',
          subjectId: objectionId,
          streetOfficeId: call.street_office_id,
          organizationId: user.organizationId,
          after: { award_id: awardId, reasons: input.reasons, files: names },
        },
      };
    });
  } catch (err) {
    await Promise.all(written.map((key) => discardFile(deps.config.uploadDir, key)));
    throw isUniqueViolation(err) ? new ValidationFailed({ reasons: 'awards.errors.objectionOpen' }) : err;
  }
}

export interface AnswerInput {
  decision: 'upheld' | 'rejected';
  answer: string;
}

/**
 * The manager answers an objection in writing, once. Upheld: the award is withdrawn and the call
 * goes back to review with scoring reopened (publicity -> under_review, scoring_closed_at = null).
 * Rejected: the objection and its answer are published on the award page.
 */
export async function answerObjection(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  awardId: number,
  objectionId: number,
  input: AnswerInput,
): Promise<{ withdrawn: boolean }> {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const award = await lockedAward(trx, awardId);
    const call = await lockCall(trx, award.call_id);
    if (!canManageAward(user, call)) throw new Forbidden('awards.errors.notYourCall');
    const objection = await trx('objections')
      .where({ id: objectionId, award_id: awardId })
      .first('id', 'status', 'organization_id');
    if (!objection) throw new NotFound();
    await moveObjection(trx, objectionId, input.decision === 'upheld' ? 'uphold' : 'reject', {
      set: { answer: input.answer, answered_by: user.id, answered_at: at },
      errorKey: 'awards.errors.alreadyAnswered',
    });

    const audit: AuditInput[] = [
      {
        action: `objection.${input.decision === 'upheld' ? 'uphold' : 'reject'}`,
        subjectType: 'objection',
        subjectId: objectionId,
        streetOfficeId: call.street_office_id,
        organizationId: Number(objection.organization_id),
        before: { status: 'open' },
        after: { status: input.decision, answer: input.answer },
      },
    ];
    // A later objection upheld on an award an earlier one already withdrew records its answer only.
    const withdraw = input.decision === 'upheld' && award.status === 'proposed';
    if (withdraw) {
      await moveAward(trx, awardId, 'withdraw', {
        set: { withdrawn_at: at, withdrawn_reason: input.answer.slice(0, 1000) },
        errorKey: 'awards.errors.notInPublicity',
      });
      await moveCall(trx, call.id, 'withdrawAward', {
        set: { scoring_closed_at: null, scoring_closed_by: null, updated_at: at },
        errorKey: 'awards.errors.notInPublicity',
      });
      audit.push({
        action: 'award.withdraw',
        subjectType: 'award',
        subjectId: awardId,
        streetOfficeId: call.street_office_id,
        organizationId: Number(objection.organization_id),
        before: { status: 'proposed', call_status: 'publicity', scoring_closed_at: call.scoring_closed_at ?? null },
        after: { status: 'withdrawn', call_status: 'under_review', scoring_closed_at: null, objection_id: objectionId },
      });
    }
    await notify(
      trx,
      await staffOf(trx, [Number(objection.organization_id)]),
      {
        kind: 'objection.answered',
        messageKey: 'notifications.messages.objectionAnswered',
        params: { call: call.title },
        link: `/awards/${awardId}/objections/${objectionId}`,
        subjectType: 'objection',
        subjectId: objectionId,
      },
      now,
    );
    return { result: { withdrawn: withdraw }, audit };
  });
}
