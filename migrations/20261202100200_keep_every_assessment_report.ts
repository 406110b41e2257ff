import type { Knex } from 'knex';

// An evaluation reopened by an upheld review closes again with a new assessment report; the
// earlier stored reports are kept. So any number of reports per evaluation (one per closing) instead of
// one; the newest (highest id) is the one in force.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('evaluation_reports', (t) => {
    t.dropUnique(['evaluation_id'], 'evaluation_reports_one_per_evaluation');
  });
  await db.schema.alterTable('evaluation_reports', (t) => {
    t.index(['evaluation_id'], 'evaluation_reports_evaluation_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('evaluation_reports', (t) => {
    t.dropIndex(['evaluation_id'], 'evaluation_reports_evaluation_idx');
  });
  await db.schema.alterTable('evaluation_reports', (t) => {
    t.unique(['evaluation_id'], { indexName: 'evaluation_reports_one_per_evaluation' });
  });
}
