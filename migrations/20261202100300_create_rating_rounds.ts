import type { Knex } from 'knex';

// A citizen rating round (群众评价) of a milestone, opened by the street's manager: a short
// unguessable token makes its public link (printed as a QR code at the service site); it takes
// ratings until closes_at or until the manager closes it (closed_at). One round per milestone, so
// "one rating per browser per milestone" is one rating per browser per round.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('rating_rounds', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('contracts.id');
    t.integer('milestone_seq').notNullable();
    t.string('token', 32).notNullable();
    t.string('opens_at', 24).notNullable();
    t.string('closes_at', 24).notNullable();
    t.string('closed_at', 24).nullable();
    t.integer('opened_by').unsigned().notNullable().references('users.id');
    t.integer('closed_by').unsigned().nullable().references('users.id');
    t.unique(['contract_id', 'milestone_seq'], { indexName: 'rating_rounds_one_per_milestone' });
    t.unique(['token'], { indexName: 'rating_rounds_token_unique' });
    t.check('closes_at > opens_at', [], 'rating_rounds_period');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('rating_rounds');
}
