import type { Knex } from 'knex';

/**
 * The version of everything an anonymous visitor can see. Every change the public can see is an
 * audited state change (one audit event in the same transaction), except one: a call's deadline
 * passing, which closes it (its effective status, the number of tenderers) without any write. So
 * the version is the audit chain's last event id plus the number of published calls whose deadline
 * has passed: two indexed single-row reads. Used by the public ETags (disclosure/freshness.ts) and
 * the kept pages (kept-pages.ts).
 */
export async function versionOfPublicData(db: Knex, now: Date): Promise<string> {
  const [head, closed] = await Promise.all([
    db('audit_chain_head').where({ id: 1 }).first('last_event_id'),
    db('calls').where('status', 'published').where('closes_at', '<=', now.toISOString()).count({ n: '*' }).first(),
  ]);
  return `${Number(head?.last_event_id ?? 0)}.${Number(closed?.n ?? 0)}`;
}
