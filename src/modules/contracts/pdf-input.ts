import type { Queryable } from '../../db/knex';
import { translator } from '../../web/i18n';
import type { ContractPdfInput } from '../../pdf/contract-input';
import { termsOf, type ContractRow, type Party, type VersionRow } from './queries';

/** The PDF's input, assembled from one version of a contract (parties as recorded at drafting). */
export async function pdfInputOf(
  db: Queryable,
  contract: ContractRow,
  version: VersionRow,
  now: Date,
): Promise<ContractPdfInput> {
  const terms = termsOf(version);
  const call = await db('calls as k')
    .join('catalog_items as ci', 'ci.id', 'k.catalog_item_id')
    .where('k.id', contract.call_id)
    .first('ci.name as item_name');
  const names = await db('users')
    .whereIn('id', [contract.accepted_by ?? 0, contract.signed_by ?? 0])
    .select('id', 'display_name');
  const nameOf = (id: number | null) =>
    names.find((u: { id: number }) => Number(u.id) === Number(id))?.display_name ?? null;
  const t = translator('zh-CN');
  const partyA = JSON.parse(contract.party_a_json) as Party;
  const partyB = JSON.parse(contract.party_b_json) as Party;
  const sources = JSON.parse(version.sources_json) as { source: string; amountFen: number }[];
  return {
    number: contract.number,
    version: Number(version.version),
    title: contract.title,
    partyA,
    partyB,
    catalogItem: call?.item_name ?? '',
    serviceDescription: terms.servicePlan,
    amountFen: terms.amountFen,
    periodStart: terms.periodStart,
    periodEnd: terms.periodEnd,
    sources: sources.map((s) => ({ label: t(`funds.sources.${s.source}`), amountFen: s.amountFen })),
    milestones: terms.milestones.map((m) => ({
      seq: m.seq,
      title: m.title,
      deliverables: m.deliverables,
      dueDate: m.dueDate,
      amountFen: m.amountFen,
      advance: m.advance,
      passScore: m.passScore,
      partialRule:
        m.partialRule === 'pro_rata' ? { kind: 'pro_rata', floorScore: m.floorScore ?? 0 } : { kind: 'none' },
      weights: m.advance
        ? null
        : {
            self: m.weights.self,
            manager: m.weights.manager,
            peer: m.weights.peer,
            citizens: m.weights.citizen,
            thirdParty: m.weights.third_party,
          },
    })),
    signatures: {
      partyA: { signerName: nameOf(contract.signed_by), signedAt: contract.signed_at },
      partyB: { signerName: nameOf(contract.accepted_by), signedAt: contract.accepted_at },
    },
    generatedAt: now.toISOString(),
  };
}
