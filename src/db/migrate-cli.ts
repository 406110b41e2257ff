import { loadConfig } from '../config';
import { createDb } from './knex';
import { migrateLatest } from './migrate';

async function main() {
  const db = createDb(loadConfig());
  await migrateLatest(db);
  console.log('migrated');
  await db.destroy();
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
