import type { Knex } from 'knex';

// One row that every audit write locks (SELECT ... FOR UPDATE on PostgreSQL), so that two concurrent
// transactions cannot both append after the same event and fork the chain.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('audit_chain_head', (t) => {
    t.integer('id').primary();
    t.integer('last_event_id').notNullable();
    t.string('last_hash', 64).notNullable();
  });
  await db('audit_chain_head').insert({ id: 1, last_event_id: 0, last_hash: '0'.repeat(64) });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('audit_chain_head');
}
