import { loadConfig } from './config';
import { createDb } from './db/knex';
import { migrateLatest } from './db/migrate';
import { seedIfEmpty } from './db/seed';
import { createApp } from './app';
import { sweepOrphanUploads } from './files/sweep';
import { systemClock } from './shared/clock';
import { closePasswordWorker, dummyHash } from './modules/accounts/passwords';
import { markAuditChainKeyed, useAuditKey } from './audit/audit';
import { loadFonts } from './pdf';

/** config -> database -> migrate -> (demo data on first start) -> createApp -> listen */
async function main() {
  const config = loadConfig();
  const db = createDb(config);
  await migrateLatest(db);
  // The audit chain is keyed from here on; an earlier install's unkeyed events keep verifying.
  useAuditKey(config.auditKey);
  await markAuditChainKeyed(db);
  if (config.demo) {
    const seeded = await seedIfEmpty({ db, config, clock: systemClock });
    if (seeded) console.log('Demo data loaded (first start). Demo accounts are listed on the sign-in page.');
  }
  // Upload files left by a crash between writing and committing; in the background, it blocks nothing.
  sweepOrphanUploads(db, config.uploadDir, { olderThanMinutes: config.uploadOrphanMinutes })
    .then((r) => r.removed.length > 0 && console.log(`Removed ${r.removed.length} orphan upload files.`))
    .catch((err) => console.error('Upload sweep failed:', err instanceof Error ? err.message : err));
  // Decode the PDF fonts now (about a second under load), so the first document's reader does not wait.
  loadFonts().catch((err) => console.error('PDF fonts could not be loaded:', err instanceof Error ? err.message : err));
  // The dummy hash for unknown usernames, made now: made on first use, that first answer would be
  // slower than a real user's and tell the two apart.
  dummyHash(config.bcryptRounds).catch((err) =>
    console.error('Dummy password hash failed:', err instanceof Error ? err.message : err),
  );
  const { app, close } = createApp({ config, db, clock: systemClock });
  const server = app.listen(config.port, () => {
    console.log(
      `Streetfund is running on http://localhost:${config.port} (${config.databaseUrl ? 'PostgreSQL' : 'SQLite ' + config.sqliteFile})`,
    );
  });
  const stop = () => {
    server.close(() => {
      void close()
        .then(() => Promise.all([closePasswordWorker(), db.destroy()]))
        .then(() => process.exit(0));
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
