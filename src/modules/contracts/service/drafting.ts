import { auditedTransaction, type Actor } from '../../../audit/audit';
import { forUpdate, returnedId, type Tx } from '../../../db/knex';
import { isUniqueViolation } from '../../../db/errors';
import { Forbidden, InvalidState, NotFound } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { type EvaluationWeights } from '../../calls';
import { formatNumber, nextSequence } from '../numbering';
import { canManageContract } from '../policy';
import { holdingsOf, itemState, markItemContracted } from '../ports';
import { termsOf, versionInForce, type Party } from '../queries';
import { maxAdvanceFen, percentToFen, readTerms, type FormBody, type Milestone, type Terms } from '../terms';
import { signingDeadline } from '../window';
import { lockedContract, milestoneRows, shanghaiDate, TermsProblems, versionColumns, type Deps } from './common';

const DAY_MS = 24 * 60 * 60 * 1000;
const addDays = (date: string, days: number) =>
  new Date(new Date(`${date}T00:00:00Z`).getTime() + days * DAY_MS).toISOString().slice(0, 10);

export const callWeightsOf = (call: Record<string, unknown>): EvaluationWeights => ({
  self: Number(call.weight_self),
  manager: Number(call.weight_manager),
  peer: Number(call.weight_peer),
  citizen: Number(call.weight_citizen),
  third_party: Number(call.weight_third_party),
});

/** A first schedule to edit: an advance within the call's limit (if allowed), a mid-term and a final evaluation. */
export function defaultTerms(
  amountFen: number,
  start: string,
  servicePlan: string,
  maxAdvancePercent: number,
  weights: EvaluationWeights,
): Terms {
  const end = addDays(addDays(start, 365), -1);
  const mid = addDays(start, 182);
  const evaluated = (seq: number, title: string, dueDate: string, fen: number): Milestone => ({
    seq,
    title,
    deliverables: '',
    dueDate,
    amountFen: fen,
    advance: false,
    passScore: 60,
    partialRule: 'none',
    floorScore: null,
    weights,
  });
  const milestones: Milestone[] = [];
  let rest = amountFen;
  if (maxAdvancePercent > 0) {
    const advance = maxAdvanceFen(amountFen, Math.min(30, maxAdvancePercent));
    if (advance > 0) {
      milestones.push({ ...evaluated(1, '首期款（预付款）', start, advance), advance: true, passScore: null });
      rest -= advance;
    }
  }
  const [a, b] = percentToFen(rest, [5000, 5000]);
  milestones.push(
    evaluated(milestones.length + 1, '中期评估', mid, a),
    evaluated(milestones.length + 2, '末期评估', end, b),
  );
  return { amountFen, periodStart: start, periodEnd: end, servicePlan, milestones };
}

async function lockAward(trx: Tx, awardId: number) {
  const q = trx('awards').where({ id: awardId }).first();
  return forUpdate(trx, q);
}

/**
 * "Create contract" for one item of a final award: the number is taken (DS-2026-0007), party A and
 * B are copied from the street office and the organization, the amount is the awarded amount, the
 * sources are the award item's committed money (funds' holdingsOf), and a first schedule is
 * proposed for the manager to edit. One contract per award item (unique index, also under a race).
 */
export async function createContract(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  awardId: number,
  awardItemId: number,
): Promise<number> {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const award = awardId ? await lockAward(trx, awardId) : undefined;
    const item =
      award && awardItemId ? await trx('award_items').where({ id: awardItemId, award_id: awardId }).first() : undefined;
    if (!award || !item) throw new NotFound();
    const call = await trx('calls').where({ id: award.call_id }).first();
    if (!canManageContract(user, { street_office_id: Number(call.street_office_id) }))
      throw new Forbidden('contracts.errors.notYourStreet');
    if (award.status !== 'final') throw new InvalidState('contracts.errors.awardNotFinal');
    if (await trx('contracts').where({ award_item_id: awardItemId }).first('id'))
      throw new InvalidState('contracts.errors.itemHasContract');
    const street = await trx('street_offices').where({ id: call.street_office_id }).first();
    if (!street.short_code) throw new InvalidState('contracts.errors.noShortCode', { street: street.name });
    const bid = await trx('bids').where({ id: item.bid_id }).first('organization_id', 'service_plan');
    // The category the contract is for, kept on it for the public lists (see the migration).
    const catalogItem = await itemState(trx, Number(call.catalog_item_id));
    const org = await trx('organizations').where({ id: bid.organization_id }).first();

    const year = Number(shanghaiDate(now).slice(0, 4));
    const seq = await nextSequence(trx, Number(street.id), year);
    const number = formatNumber(street.short_code, year, seq);
    const partyA: Party = {
      name: street.name,
      legalRepresentative: street.legal_representative ?? '',
      address: street.address ?? '',
    };
    const partyB: Party = {
      name: org.name,
      legalRepresentative: org.legal_representative ?? '',
      address: '',
      creditCode: org.credit_code,
      contactName: org.contact_person ?? '',
      contactPhone: org.contact_phone ?? '',
    };
    const [inserted] = await trx('contracts')
      .insert({
        number,
        street_office_id: street.id,
        year,
        seq,
        award_id: awardId,
        award_item_id: awardItemId,
        call_id: call.id,
        category_id: catalogItem?.category_id ?? null,
        organization_id: org.id,
        title: call.title,
        status: 'draft',
        current_version: 1,
        party_a_json: JSON.stringify(partyA),
        party_b_json: JSON.stringify(partyB),
        signing_deadline: signingDeadline(award.final_at),
        created_by: user.id,
        created_at: at,
        updated_at: at,
      })
      .returning('id');
    const id = returnedId(inserted);
    await markItemContracted(trx, awardItemId, at);
    const terms = defaultTerms(
      Number(item.amount_fen),
      shanghaiDate(now),
      bid.service_plan ?? '',
      Number(call.max_advance_percent),
      callWeightsOf(call),
    );
    const sources = await holdingsOf(trx, awardItemId);
    await trx('contract_versions').insert({
      contract_id: id,
      version: 1,
      status: 'draft',
      ...versionColumns(terms),
      sources_json: JSON.stringify(sources.map((s) => ({ source: s.source, amountFen: s.committedFen + s.paidFen }))),
      proposed_by: user.id,
      proposed_at: at,
    });
    await trx('contract_milestones').insert(milestoneRows(id, terms.milestones));
    return {
      result: id,
      audit: {
        action: 'contract.draft',
        subjectType: 'contract',
        subjectId: id,
        streetOfficeId: Number(street.id),
        organizationId: Number(org.id),
        after: { number, award_id: awardId, award_item_id: awardItemId, amount_fen: terms.amountFen },
      },
    };
  }).catch((err) => {
    if (isUniqueViolation(err)) throw new InvalidState('contracts.errors.itemHasContract');
    throw err;
  });
}

/** The manager saves the draft's period, service plan and milestones; the amount stays the awarded one. */
export async function saveDraft(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  body: FormBody,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const contract = await lockedContract(trx, user, contractId);
    if (!canManageContract(user, contract)) throw new Forbidden('contracts.errors.notYourStreet');
    if (contract.status !== 'draft') throw new InvalidState('contracts.errors.notDraft');
    const version = await versionInForce(trx, contractId);
    if (!version) throw new NotFound();
    const call = await trx('calls').where({ id: contract.call_id }).first();
    const before = termsOf(version);
    const { terms, problems } = readTerms(body, {
      amountFen: before.amountFen,
      maxAdvancePercent: Number(call.max_advance_percent),
      callWeights: callWeightsOf(call),
    });
    if (Object.keys(problems).length) throw new TermsProblems(problems);
    await trx('contract_versions').where({ id: version.id, status: 'draft' }).update(versionColumns(terms));
    await trx('contract_milestones').where({ contract_id: contractId }).delete();
    await trx('contract_milestones').insert(milestoneRows(contractId, terms.milestones));
    await trx('contracts').where({ id: contractId }).update({ updated_at: now.toISOString() });
    return {
      result: undefined,
      audit: {
        action: 'contract.save',
        subjectType: 'contract',
        subjectId: contractId,
        streetOfficeId: contract.street_office_id,
        organizationId: contract.organization_id,
        before,
        after: terms,
      },
    };
  });
}
