import type { Knex } from 'knex';

// One-time keys of create forms (idempotency keys): a form that creates something carries a random
// key; the create's own transaction claims it here, so a resubmission (double click, reload, retry
// after a timeout) finds the claim and gets the first result instead of creating again.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('form_submissions', (t) => {
    t.increments('id');
    t.string('form', 64).notNullable();
    t.string('once_key', 64).notNullable();
    t.integer('user_id').unsigned().references('users.id');
    t.text('result_json');
    t.string('created_at', 24).notNullable();
    t.unique(['form', 'once_key'], { indexName: 'form_submissions_key_unique' });
    t.index(['created_at'], 'form_submissions_created_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('form_submissions');
}
