import type { Knex } from 'knex';

// An award (中标/立项) of a call: proposed and published for the publicity period (公示), then final,
// or withdrawn (an upheld objection). At most one award per call that is not withdrawn.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('awards', (t) => {
    t.increments('id');
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.string('status', 20).notNullable(); // proposed | withdrawn | final
    t.integer('proposed_by').unsigned().references('users.id');
    t.string('proposed_at', 24).notNullable();
    t.string('publicity_ends_at', 24).notNullable();
    t.string('withdrawn_at', 24);
    t.string('withdrawn_reason', 1000);
    t.integer('finalized_by').unsigned().references('users.id');
    t.string('final_at', 24);
    t.index(['call_id', 'status'], 'awards_call_idx');
    t.index(['status', 'publicity_ends_at'], 'awards_status_idx');
  });
  await db.raw(`CREATE UNIQUE INDEX awards_one_standing_per_call ON awards (call_id) WHERE status <> 'withdrawn'`);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('awards');
}
