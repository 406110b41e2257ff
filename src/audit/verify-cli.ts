import { loadConfig } from '../config';
import { createDb } from '../db/knex';
import { useAuditKey } from './keys';
import { verifyAll, type Checkpoint } from './verify';

/** `--checkpoint COUNT:HASH` (or `--checkpoint=COUNT:HASH`): a count and head hash noted earlier. */
export function parseCheckpoint(argv: string[]): Checkpoint | undefined {
  const i = argv.findIndex((a) => a === '--checkpoint' || a.startsWith('--checkpoint='));
  if (i < 0) return undefined;
  const value = argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : (argv[i + 1] ?? '');
  const m = /^(\d{1,12}):([0-9a-f]{64})$/i.exec(value.trim());
  if (!m) throw new Error('--checkpoint takes COUNT:HASH, e.g. --checkpoint 1234:<64 hex digits>');
  return { count: Number(m[1]), hash: m[2].toLowerCase() };
}

/** npm run audit:verify [-- --checkpoint COUNT:HASH] — verifies the keyed main chain and every
 *  sealed log; prints "ok" with the counts and the head (a checkpoint to note), or the first broken
 *  event; exits 1 when anything is broken or the chain does not pass through the checkpoint. */
async function main() {
  const config = loadConfig();
  useAuditKey(config.auditKey);
  const checkpoint = parseCheckpoint(process.argv.slice(2));
  const db = createDb(config);
  try {
    const { ok, main: result, sealed, head, checkpoints } = await verifyAll(db, { checkpoint });
    if (result.ok) {
      console.log(`ok: ${result.count} audit events, chain intact; head ${head} (checkpoint ${result.count}:${head})`);
    } else {
      console.log(`BROKEN at event ${result.brokenAt} (${result.reason}); ${result.count} events before it verify`);
    }
    if (sealed.ok) {
      console.log(`ok: ${sealed.logs} sealed logs (${sealed.opened} opened) with ${sealed.events} events intact`);
    } else {
      console.log(`BROKEN sealed log of call ${sealed.callId} at event ${sealed.seq} (${sealed.reason})`);
    }
    if (checkpoints.ok) console.log(`ok: ${checkpoints.count} daily checkpoints lie on the chain`);
    else
      console.log(
        `BROKEN: the daily checkpoint of ${checkpoints.day} is not on the chain (history before it was rewritten)`,
      );
    if (checkpoint) {
      const says = {
        passes: 'the chain passes through it',
        diverges: 'the chain does NOT pass through it (another hash at that count)',
        missing: 'the chain does NOT reach it (events after it are gone)',
      };
      console.log(`checkpoint ${checkpoint.count}:${checkpoint.hash}: ${says[result.checkpoint ?? 'missing']}`);
    }
    if (!ok) process.exitCode = 1;
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
