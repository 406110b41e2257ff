import type { Knex } from 'knex';

// The audit chain becomes keyed (HMAC-SHA256 with AUDIT_KEY, kept outside the database). An earlier
// install's events stay unkeyed SHA-256: keyed_from_id is the first keyed event, set at the next
// start (or the first write), and head_mac, an HMAC over (last id, last hash, keyed_from_id), makes
// the head and that point tamper-evident. Both null means "not keyed yet".
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('audit_chain_head', (t) => {
    t.integer('keyed_from_id');
    t.string('head_mac', 64);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('audit_chain_head', (t) => {
    t.dropColumn('keyed_from_id');
    t.dropColumn('head_mac');
  });
}
