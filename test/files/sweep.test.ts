import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { storeFile } from '../../src/files/storage';
import { sweepOrphanUploads } from '../../src/files/sweep';
import { createTestContext, type TestContext } from '../helpers/app';
import { minimalPdf } from '../helpers/pdf-fixture';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const PDF = minimalPdf();
const upload = (name: string) => ({ originalname: name, buffer: PDF, size: PDF.length }) as Express.Multer.File;
const exists = (key: string) => fs.existsSync(path.join(ctx.config.uploadDir, key));
const age = (key: string, minutes: number) => {
  const t = new Date(Date.now() - minutes * 60 * 1000);
  fs.utimesSync(path.join(ctx.config.uploadDir, key), t, t);
};

describe('sweeping orphan upload files', () => {
  it('removes only old files that no record refers to; safe to run twice at once', async () => {
    const user = await ctx.make.user('org_staff');
    // A committed file: its row exists.
    const kept = await ctx.db.transaction((trx) =>
      storeFile(trx, ctx.config.uploadDir, upload('kept.pdf'), 'file', user.id, new Date()),
    );
    // A "crash" after the bytes were written and before the commit: the row is gone, the file stays.
    let orphan = '';
    await ctx.db
      .transaction(async (trx) => {
        orphan = (await storeFile(trx, ctx.config.uploadDir, upload('lost.pdf'), 'file', user.id, new Date()))
          .storage_key;
        throw new Error('process died here');
      })
      .catch(() => undefined);
    const young = crypto.randomBytes(24).toString('hex');
    fs.writeFileSync(path.join(ctx.config.uploadDir, young), PDF);
    fs.writeFileSync(path.join(ctx.config.uploadDir, '.gitkeep'), '');
    expect(await ctx.db('stored_files').where({ storage_key: orphan }).first()).toBeUndefined();
    for (const key of [kept.storage_key, orphan, '.gitkeep']) age(key, 120);
    age(young, 5);

    const [a, b] = await Promise.all([
      sweepOrphanUploads(ctx.db, ctx.config.uploadDir, { olderThanMinutes: 60 }),
      sweepOrphanUploads(ctx.db, ctx.config.uploadDir, { olderThanMinutes: 60 }),
    ]);
    expect([...a.removed, ...b.removed].every((k) => k === orphan)).toBe(true);
    expect(a.removed.length + b.removed.length).toBeGreaterThanOrEqual(1);
    expect(exists(orphan)).toBe(false);
    expect(exists(kept.storage_key)).toBe(true);
    expect(exists(young)).toBe(true);
    expect(exists('.gitkeep')).toBe(true);

    const again = await sweepOrphanUploads(ctx.db, ctx.config.uploadDir, { olderThanMinutes: 60 });
    expect(again.removed).toEqual([]);
  });

  it('does nothing when the folder does not exist yet', async () => {
    expect(
      await sweepOrphanUploads(ctx.db, path.join(ctx.config.uploadDir, 'missing'), { olderThanMinutes: 60 }),
    ).toEqual({ examined: 0, removed: [] });
  });
});
