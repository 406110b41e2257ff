import { publicCaching } from '../../../web/caching';
import type { Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import { sendStoredFile } from '../../../files/storage';
import { actorOf } from '../../../web/actor';
import { flash } from '../../../web/flash';
import { pathId } from '../schemas';
import { contractPdf, contractScan, publicPdf, uploadScan } from '../service/documents';

function sendPdf(res: Response, bytes: Buffer, name: string, cache: string) {
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Disposition', `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"`);
  res.setHeader('Cache-Control', cache);
  res.send(bytes);
}

/** The contract's documents: the generated PDF (stored once signed; a watermarked draft before), the public redacted PDF, the stamped scan. */
export function documentHandlers(deps: AppDeps) {
  return {
    async pdf(req: Request, res: Response) {
      const d = await contractPdf(deps, actorOf(req), req.user!, pathId(req.params.contractId));
      if (d.kind === 'stored') await sendStoredFile(res, deps.config.uploadDir, d.file);
      else sendPdf(res, d.bytes, d.name, 'private, no-store');
    },
    async publicPdf(req: Request, res: Response) {
      const d = await publicPdf(deps, pathId(req.params.contractId));
      sendPdf(res, d.bytes, d.name, publicCaching(req));
    },
    async uploadScan(req: Request, res: Response) {
      const files = (req.files as Record<string, Express.Multer.File[]> | undefined)?.scan;
      await uploadScan(deps, actorOf(req), req.user!, pathId(req.params.contractId), files?.[0]);
      flash(req, 'success', req.t('contracts.documents.scanUploaded'));
      res.redirect(303, `/contracts/${pathId(req.params.contractId)}`);
    },
    async scan(req: Request, res: Response) {
      const file = await contractScan(deps, actorOf(req), req.user!, pathId(req.params.contractId));
      await sendStoredFile(res, deps.config.uploadDir, file);
    },
  };
}
