import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Response } from 'express';
import { returnedId, type Queryable } from '../db/knex';
import { ValidationFailed } from '../web/errors';
import { detectKind } from './signatures';

export interface StoredFileRow {
  id: number;
  storage_key: string;
  original_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  uploaded_by: number | null;
  created_at: string;
}

/** Keeps the name the user gave for display only; strips paths and control characters. */
function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f"]/g, '').slice(0, 200) || 'file';
}

/**
 * Checks the content against the extension, writes the bytes under a random name and records the
 * file. Call inside the transaction of the record that owns the file; if that transaction fails
 * the caller removes the written file with `discardFile`.
 */
export async function storeFile(
  trx: Queryable,
  uploadDir: string,
  file: Express.Multer.File,
  field: string,
  userId: number,
  now: Date,
): Promise<StoredFileRow> {
  const kind = detectKind(file.originalname, file.buffer);
  if (!kind) throw new ValidationFailed({ [field]: 'uploads.contentMismatch' });
  const storageKey = crypto.randomBytes(24).toString('hex');
  await fs.mkdir(uploadDir, { recursive: true });
  await fs.writeFile(path.join(uploadDir, storageKey), file.buffer, { flag: 'wx', mode: 0o600 });
  const row = {
    storage_key: storageKey,
    original_name: cleanName(file.originalname),
    mime_type: kind.mime,
    size_bytes: file.size,
    sha256: crypto.createHash('sha256').update(file.buffer).digest('hex'),
    uploaded_by: userId,
    created_at: now.toISOString(),
  };
  const [inserted] = await trx('stored_files').insert(row).returning('id');
  return { id: returnedId(inserted), ...row };
}

export async function discardFile(uploadDir: string, storageKey: string): Promise<void> {
  await fs.rm(path.join(uploadDir, storageKey), { force: true });
}

/** Runs a write that stores files; `work` pushes each storage key it wrote. If the write fails (its
 *  transaction rolls back), the files it wrote are removed, so no orphan bytes stay on disk. */
export async function withFileCleanup<T>(uploadDir: string, work: (written: string[]) => Promise<T>): Promise<T> {
  const written: string[] = [];
  try {
    return await work(written);
  } catch (err) {
    await Promise.all(written.map((key) => discardFile(uploadDir, key)));
    throw err;
  }
}

/** Sends a stored file as a download. Only call after the route has checked who may read it. */
export async function sendStoredFile(res: Response, uploadDir: string, file: StoredFileRow): Promise<void> {
  const ascii = file.original_name.replace(/[^\x20-\x7e]/g, '_');
  res.setHeader('Content-Type', file.mime_type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader(
    'Content-Disposition',
    `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.original_name)}`,
  );
  res.setHeader('Cache-Control', 'private, no-store');
  res.send(await fs.readFile(path.join(uploadDir, file.storage_key)));
}
