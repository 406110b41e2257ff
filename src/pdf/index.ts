/** The PDF layer: fonts, page frame and blocks for every generated document, and the contract. */
export { renderContractPdf, drawContract, contractFrame, amountInWords, chineseDate } from './contract';
export type {
  ContractPdfInput,
  ContractPdfOptions,
  ContractPdfParty,
  ContractPdfMilestone,
  ContractPdfSignature,
  EvaluationWeights,
  PartialRule,
} from './contract-input';
export { PdfWriter, PAGE, MARGINS, FONT_SIZE } from './document';
export type { DocumentFrame, TableColumn, TableOptions, KeyValueOptions, SignatureBlock } from './document';
export { loadFonts, FONT_REGULAR, FONT_BOLD } from './fonts';
export type { PdfFonts } from './fonts';
