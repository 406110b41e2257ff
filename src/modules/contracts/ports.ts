import type { ContractPdfInput, ContractPdfOptions } from '../../pdf/contract-input';

/**
 * The two things this module takes from its neighbours, in one place:
 * - money, from the funds module (`holdingsOf`, `increaseCommitment`, `releaseCommitment`: committed
 *   money per award item and contract, per source), and
 * - the PDF, from src/pdf (`renderContractPdf`). Until the pdf branch is merged, renderContractPdf
 *   here is a stand-in (Helvetica, no Chinese); merging replaces it with a re-export.
 */

export { holdingsOf, increaseCommitment, releaseCommitment, type Holding } from '../funds';

export async function renderContractPdf(input: ContractPdfInput, options: ContractPdfOptions): Promise<Buffer> {
  const PDFDocument = (await import('pdfkit')).default;
  const doc = new PDFDocument({ size: 'A4', info: { Title: input.number } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.fontSize(16).text(`${options.draft ? 'DRAFT ' : ''}Contract ${input.number} v${input.version}`);
  doc.fontSize(11).text(`Amount (fen): ${input.amountFen}`).text(`Period: ${input.periodStart} - ${input.periodEnd}`);
  for (const m of input.milestones) doc.text(`${m.seq}. ${m.dueDate} ${m.amountFen}`);
  doc.end();
  return done;
}
