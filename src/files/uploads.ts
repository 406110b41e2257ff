import multer from 'multer';
import type { Request, RequestHandler } from 'express';
import type { Config } from '../config';
import { kindForExtension } from './signatures';

/** Why an upload was refused before the handler ran; the handler re-shows its form with it. */
export interface UploadProblem {
  status: 413 | 422;
  messageKey: string;
  params?: Record<string, unknown>;
}

declare module 'express-serve-static-core' {
  interface Request {
    uploadProblem?: UploadProblem;
  }
}

/**
 * The one multer setup. Files are held in memory (bounded by the limits) until the handler has
 * checked the CSRF token, the policy and the file content; only then are they written to disk.
 */
export function createUploader(config: Pick<Config, 'uploadMaxBytes' | 'uploadMaxFiles'>) {
  const instance = multer({
    storage: multer.memoryStorage(),
    // Browsers send file names as UTF-8 without saying so; busboy's default (latin1) garbles Chinese names.
    defParamCharset: 'utf8',
    limits: {
      fileSize: config.uploadMaxBytes,
      files: config.uploadMaxFiles,
      fields: 50,
      fieldSize: 100 * 1024,
      fieldNameSize: 100,
      parts: 50 + config.uploadMaxFiles,
      headerPairs: 200,
    },
    // Synchronous: refuse by extension here; the content is checked once the bytes have arrived.
    fileFilter(_req, file, cb) {
      if (kindForExtension(file.originalname)) cb(null, true);
      else cb(new multer.MulterError('LIMIT_UNEXPECTED_FILE', 'type:' + file.fieldname));
    },
  });

  /** Parses a multipart form with the named file fields; turns multer's refusals into req.uploadProblem. */
  return function acceptFiles(fields: { name: string; maxCount: number }[]): RequestHandler {
    const parse = instance.fields(fields);
    return (req, res, next) => {
      parse(req, res, (err: unknown) => {
        if (!err) return next();
        // Multer's limits, and busboy's complaints about a malformed body (no boundary, cut off
        // mid-part): either way the form is re-shown with a message, never a 500.
        req.uploadProblem =
          err instanceof multer.MulterError
            ? problemFor(err, config.uploadMaxBytes)
            : { status: 422, messageKey: 'uploads.malformed' };
        req.body = req.body ?? {};
        next();
      });
    };
  };
}

function problemFor(err: multer.MulterError, maxBytes: number): UploadProblem {
  switch (err.code) {
    case 'LIMIT_FILE_SIZE':
      return { status: 413, messageKey: 'uploads.tooLarge', params: { mb: Math.round(maxBytes / 1024 / 1024) } };
    case 'LIMIT_FILE_COUNT':
    case 'LIMIT_PART_COUNT':
      return { status: 413, messageKey: 'uploads.tooMany' };
    case 'LIMIT_FIELD_VALUE':
    case 'LIMIT_FIELD_COUNT':
    case 'LIMIT_FIELD_KEY':
      return { status: 413, messageKey: 'uploads.formTooLarge' };
    default:
      return err.field?.startsWith('type:')
        ? { status: 422, messageKey: 'uploads.badType' }
        : { status: 422, messageKey: 'uploads.unexpected' };
  }
}

export function uploadedFiles(req: Request, field: string): Express.Multer.File[] {
  const files = req.files as Record<string, Express.Multer.File[]> | undefined;
  return files?.[field] ?? [];
}

/**
 * Files chosen on a form that was refused are not kept (nothing is written before the form
 * succeeds), and a browser cannot put them back into the file input. This names them, so the form
 * can say which files must be chosen again, per field: { documents: ['方案.pdf'] }.
 */
export function filesToChooseAgain(req: Request): Record<string, string[]> {
  const files = req.files;
  const out: Record<string, string[]> = {};
  if (!files) return out;
  const list = Array.isArray(files) ? files : Object.values(files).flat();
  for (const f of list) (out[f.fieldname] ??= []).push(f.originalname);
  return out;
}
