import { loadConfig } from '../config';
import { createDb } from '../db/knex';
import { sweepOrphanUploads } from './sweep';

/** npm run files:sweep — removes upload files no record refers to (older than UPLOAD_ORPHAN_MINUTES). */
async function main() {
  const config = loadConfig();
  const db = createDb(config);
  try {
    const result = await sweepOrphanUploads(db, config.uploadDir, { olderThanMinutes: config.uploadOrphanMinutes });
    console.log(`files:sweep: ${result.examined} upload files examined, ${result.removed.length} orphans removed`);
  } finally {
    await db.destroy();
  }
}
main().catch((err) => {
  console.error(err);
  process.exit(2);
});
