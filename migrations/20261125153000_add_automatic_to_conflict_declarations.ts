import type { Knex } from 'knex';

// A conflict recorded by the system rather than declared by the reviewer: a reviewer affiliated with
// the bidding organization (users.organization_id) is barred from its bid when assigned to the panel.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('conflict_declarations', (t) => {
    t.boolean('automatic').notNullable().defaultTo(false);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('conflict_declarations', (t) => {
    t.dropColumn('automatic');
  });
}
