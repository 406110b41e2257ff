import type { Knex } from 'knex';

// The dashboards' "reports waiting for evaluation" start from the open evaluations of the street
// (milestone_evaluations_street_status_idx) or of the organization (this index): those are the few
// that wait, where a street's or an organization's submitted reports are all it ever sent.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('milestone_evaluations', (t) => {
    t.index(['organization_id', 'status'], 'milestone_evaluations_org_status_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('milestone_evaluations', (t) => {
    t.dropIndex(['organization_id', 'status'], 'milestone_evaluations_org_status_idx');
  });
}
