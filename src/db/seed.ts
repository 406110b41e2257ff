import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { AppDeps } from '../deps';
import type { Config } from '../config';
import { rootDir } from '../config';
import { recordAudit, systemActor } from '../audit/audit';

export interface SeedContext {
  trx: Knex.Transaction;
  now: Date;
  config: Config;
}

interface SeedModule {
  seed(ctx: SeedContext): Promise<void>;
}

/** Seeds are seeds/NN_*.ts (dist/seeds/*.js when built), run in file-name order. */
function seedFiles(): string[] {
  const built = path.join(rootDir, 'dist', 'seeds');
  const dir = __filename.endsWith('.js') && fs.existsSync(built) ? built : path.join(rootDir, 'seeds');
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{2}_.+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Loads the demo data when the database has no users yet (first start). All or nothing, audited. */
export async function seedIfEmpty({ db, config, clock }: Pick<AppDeps, 'db' | 'config' | 'clock'>): Promise<boolean> {
  const existing = await db('users').count({ n: '*' }).first();
  if (Number(existing?.n ?? 0) > 0) return false;
  const now = clock.now();
  await db.transaction(async (trx) => {
    for (const file of seedFiles()) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(file) as SeedModule;
      await mod.seed({ trx, now, config });
    }
    await recordAudit(trx, systemActor, { action: 'demo.seed', subjectType: 'system' }, now);
  });
  return true;
}
