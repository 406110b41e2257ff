import type { Knex } from 'knex';

// The approver's "returns to record": the street's approved corrections (追回) whose money has not
// come back. By (street, status) alone that was every approved proposal the street ever had; by
// (street, kind, status, decided_at) it is the few approved reversals, oldest decision first.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('payment_proposals', (t) => {
    t.index(['street_office_id', 'kind', 'status', 'decided_at'], 'payment_proposals_kind_queue_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('payment_proposals', (t) => {
    t.dropIndex(['street_office_id', 'kind', 'status', 'decided_at'], 'payment_proposals_kind_queue_idx');
  });
}
