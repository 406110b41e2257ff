import type { Knex } from 'knex';

// The registration profile of an organization. Nullable because rows may exist from before
// registration asked for them (and factories/seeds add them separately); the registration form
// requires every one of them except the e-mail.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('organizations', (t) => {
    t.string('org_type', 30).nullable(); // social_group | social_service_agency | foundation
    t.string('legal_representative', 100).nullable();
    t.string('contact_person', 100).nullable();
    t.string('contact_phone', 30).nullable();
    t.string('contact_email', 200).nullable();
    t.string('founded_on', 10).nullable(); // YYYY-MM-DD, a calendar date
    t.integer('certified_social_workers').notNullable().defaultTo(0);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('organizations', (t) => {
    t.dropColumns(
      'org_type',
      'legal_representative',
      'contact_person',
      'contact_phone',
      'contact_email',
      'founded_on',
      'certified_social_workers',
    );
  });
}
