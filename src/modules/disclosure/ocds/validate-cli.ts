import { loadConfig } from '../../../config';
import { createDb } from '../../../db/knex';
import { validateAllPackages } from './validate-all';

/** npm run ocds:validate — validates every OCDS package the configured database can produce against
 *  the 1.1.5 schemas and codelists; prints the count and each error; exits 1 when any is invalid. */
async function main() {
  const config = loadConfig();
  const db = createDb(config);
  try {
    const report = await validateAllPackages(db, config.ocds, new Date());
    for (const e of report.errors) console.log(`INVALID ${e.package}: ${e.error}`);
    console.log(
      `${report.errors.length ? 'INVALID' : 'ok'}: ${report.packages} OCDS packages validated, ${report.errors.length} errors`,
    );
    if (report.errors.length) process.exitCode = 1;
  } finally {
    await db.destroy();
  }
}
if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
}
