import type { Knex } from 'knex';

// One open (unanswered) objection per organization per award: a second one may be lodged once the
// first is answered. A partial unique index, which SQLite and PostgreSQL both have.
export async function up(db: Knex): Promise<void> {
  await db.raw(
    `CREATE UNIQUE INDEX objections_one_open_per_org ON objections (award_id, organization_id) WHERE status = 'open'`,
  );
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX objections_one_open_per_org');
}
