import { loadConfig } from '../config';
import { createDb } from '../db/knex';
import { verifyAuditChain } from './verify';

/** npm run audit:verify — prints "ok <count>" or the first broken link, and exits 1 when broken. */
async function main() {
  const db = createDb(loadConfig());
  try {
    const result = await verifyAuditChain(db);
    if (result.ok) {
      console.log(`ok: ${result.count} audit events, chain intact`);
    } else {
      console.log(`BROKEN at event ${result.brokenAt} (${result.reason}); ${result.count} events before it verify`);
      process.exitCode = 1;
    }
  } finally {
    await db.destroy();
  }
}
main().catch((err) => {
  console.error(err);
  process.exit(2);
});
