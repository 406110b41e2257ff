import type { Knex } from 'knex';

// The states each table's status column may hold, enforced by the database as well as by the
// lifecycles in the code (calls/lifecycle.ts, awards/lifecycle.ts, …): a write of an unknown state
// fails whatever a service forgets. PostgreSQL gets a CHECK constraint. SQLite cannot add a CHECK to
// an existing column without rebuilding the table (which other tables reference), so it gets a pair
// of triggers that refuse the same rows. The lists are written out here, not imported: a migration
// is frozen history.
const STATES: Record<string, readonly string[]> = {
  calls: ['draft', 'published', 'cancelled', 'under_review', 'publicity', 'awarded'],
  bids: ['draft', 'submitted', 'withdrawn'],
  awards: ['proposed', 'withdrawn', 'final'],
  objections: ['open', 'upheld', 'rejected'],
  organizations: ['pending', 'approved', 'rejected', 'suspended'],
  catalog_items: ['active', 'retired'],
};

const list = (states: readonly string[]) => states.map((s) => `'${s}'`).join(', ');
const name = (table: string) => `${table}_status_known`;

export async function up(db: Knex): Promise<void> {
  for (const [table, states] of Object.entries(STATES)) {
    if (db.client.config.client === 'sqlite3') {
      for (const event of ['INSERT', 'UPDATE OF status']) {
        await db.raw(`CREATE TRIGGER ${name(table)}_${event.startsWith('INSERT') ? 'insert' : 'update'} BEFORE ${event} ON ${table}
          WHEN NEW.status NOT IN (${list(states)})
          BEGIN SELECT RAISE(ABORT, '${name(table)}: unknown status'); END`);
      }
    } else {
      await db.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${name(table)} CHECK (status IN (${list(states)}))`);
    }
  }
}

export async function down(db: Knex): Promise<void> {
  for (const table of Object.keys(STATES)) {
    if (db.client.config.client === 'sqlite3') {
      await db.raw(`DROP TRIGGER IF EXISTS ${name(table)}_insert`);
      await db.raw(`DROP TRIGGER IF EXISTS ${name(table)}_update`);
    } else {
      await db.raw(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name(table)}`);
    }
  }
}
