import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { rootDir } from '../config';

interface MigrationModule {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** Migrations are TypeScript files in migrations/ (compiled to dist/migrations/ for `npm start`).
 *  A custom source lets the same files load under ts-jest and from the build, without a TS loader. */
function migrationDir(): string {
  const built = path.join(rootDir, 'dist', 'migrations');
  return __filename.endsWith('.js') && fs.existsSync(built) ? built : path.join(rootDir, 'migrations');
}

const source: Knex.MigrationSource<string> = {
  async getMigrations() {
    return fs
      .readdirSync(migrationDir())
      .filter((f) => /^\d{14}_.+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
      .map((f) => f.replace(/\.(ts|js)$/, ''))
      .sort();
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(migrationDir(), name)) as MigrationModule;
  },
};

export const migrationConfig: Knex.MigratorConfig = { migrationSource: source, tableName: 'knex_migrations' };

export async function migrateLatest(db: Knex): Promise<void> {
  await db.migrate.latest(migrationConfig);
}

export async function rollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback(migrationConfig, true);
}
