import type { Knex } from 'knex';

// Scoring criteria of a call, in order; their weights sum to 100 (checked by the service).
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('call_criteria', (t) => {
    t.increments('id');
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.integer('position').notNullable();
    t.string('name', 100).notNullable();
    t.integer('weight').notNullable();
    t.unique(['call_id', 'position']);
    t.check('weight >= 0 and weight <= 100', [], 'call_criteria_weight_range');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('call_criteria');
}
