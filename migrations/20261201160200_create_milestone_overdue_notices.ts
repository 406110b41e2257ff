import type { Knex } from 'knex';

// One row per milestone (and due date) once it has been announced as overdue: the notice is sent
// by whichever page read first sees it overdue, and the unique key makes every later or parallel
// read a no-op (insert ... on conflict do nothing). A due date moved by an amendment is a new key.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('milestone_overdue_notices', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('contracts.id');
    t.integer('milestone_seq').notNullable();
    t.string('due_date', 10).notNullable();
    t.string('notified_at', 24).notNullable();
    t.unique(['contract_id', 'milestone_seq', 'due_date'], { indexName: 'milestone_overdue_notices_unique' });
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('milestone_overdue_notices');
}
