import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';

/** Storage keys are 24 random bytes in hex (storeFile); nothing else in the folder is ours to delete. */
const STORAGE_KEY = /^[0-9a-f]{48}$/;
const BATCH = 500;

export interface SweepResult {
  examined: number;
  removed: string[];
}

/**
 * Removes upload files that no `stored_files` row refers to and that are older than `olderThanMinutes`.
 * Such files are left when the process dies between writing the bytes and committing the record
 * (withFileCleanup only helps when the transaction fails while the process lives). `stored_files` is
 * the index every owning table points into, written in the same transaction as its owner, so a file
 * with no row there belongs to nothing.
 *
 * Safe to run twice and concurrently (two instances at start-up): it only deletes, with `force`, and
 * a file that is younger than the threshold is never touched, so a file whose transaction is still
 * open (a write takes seconds, not an hour) is never mistaken for an orphan.
 */
export async function sweepOrphanUploads(
  db: Knex,
  uploadDir: string,
  opts: { olderThanMinutes: number; now?: Date },
): Promise<SweepResult> {
  const cutoff = (opts.now ?? new Date()).getTime() - opts.olderThanMinutes * 60 * 1000;
  let names: string[];
  try {
    names = (await fs.readdir(uploadDir)).filter((n) => STORAGE_KEY.test(n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { examined: 0, removed: [] };
    throw err;
  }
  const old: string[] = [];
  for (const name of names) {
    const stat = await fs.stat(path.join(uploadDir, name)).catch(() => null);
    if (stat?.isFile() && stat.mtimeMs < cutoff) old.push(name);
  }
  const removed: string[] = [];
  for (let i = 0; i < old.length; i += BATCH) {
    const batch = old.slice(i, i + BATCH);
    const known = new Set((await db('stored_files').whereIn('storage_key', batch).pluck('storage_key')) as string[]);
    for (const name of batch.filter((n) => !known.has(n))) {
      await fs.rm(path.join(uploadDir, name), { force: true });
      removed.push(name);
    }
  }
  return { examined: names.length, removed };
}
