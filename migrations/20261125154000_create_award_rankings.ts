import type { Knex } from 'knex';

// The ranking as it stood when an award was proposed: the published scores summary of the award
// notice (公示). Kept with the award so the notice never changes after it is published, even when an
// upheld objection reopens scoring and the live ranking moves; also what bidders are told at the end.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('award_rankings', (t) => {
    t.increments('id');
    t.integer('award_id').unsigned().notNullable().references('awards.id');
    t.integer('bid_id').unsigned().notNullable().references('bids.id');
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.bigInteger('price_fen').notNullable();
    t.integer('sheets').notNullable();
    t.integer('score_hundredths').notNullable();
    t.integer('rank').notNullable();
    t.string('decided_by', 20);
    t.unique(['award_id', 'bid_id']);
    t.index(['award_id', 'rank'], 'award_rankings_award_rank_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('award_rankings');
}
