import type { Knex } from 'knex';

// A random public reference for each bid (16 hex digits), used in every URL and page instead of
// the id: ids are one global sequence, so a bidder seeing two of its own would learn that others had
// bid in between, on any call. The app sets it (crypto.randomBytes); rows inserted without one (an
// older install's, fixtures) get one from the database: gen_random_uuid() on PostgreSQL, randomblob()
// on SQLite, which cannot add a column with such a default, hence the backfill and the trigger.
export async function up(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await db.schema.alterTable('bids', (t) => t.string('ref', 16));
    await db.raw(`UPDATE bids SET ref = lower(hex(randomblob(8))) WHERE ref IS NULL`);
    await db.raw(`CREATE TRIGGER bids_ref_default AFTER INSERT ON bids WHEN NEW.ref IS NULL
      BEGIN UPDATE bids SET ref = lower(hex(randomblob(8))) WHERE id = NEW.id; END`);
  } else {
    await db.raw(
      `ALTER TABLE bids ADD COLUMN ref varchar(16) NOT NULL DEFAULT substr(replace(gen_random_uuid()::text, '-', ''), 1, 16)`,
    );
  }
  await db.schema.alterTable('bids', (t) => t.unique(['ref'], { indexName: 'bids_ref_unique' }));
}

export async function down(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') await db.raw('DROP TRIGGER IF EXISTS bids_ref_default');
  await db.schema.alterTable('bids', (t) => t.dropUnique(['ref'], 'bids_ref_unique'));
  await db.schema.alterTable('bids', (t) => t.dropColumn('ref'));
}
