/**
 * What the contract PDF is drawn from: a plain snapshot of one contract version, assembled by the
 * contracts module and rendered by `renderContractPdf` in this folder. Money is integer fen; dates
 * are `YYYY-MM-DD` (Beijing calendar dates), instants ISO-8601 UTC (shown in Asia/Shanghai).
 */
export interface ContractPdfParty {
  name: string;
  legalRepresentative: string;
  address: string;
  creditCode?: string;
  contactName?: string;
  /** A personal phone number: left out of the redacted (public) PDF. */
  contactPhone?: string;
}

export type PartialRule = { kind: 'none' } | { kind: 'pro_rata'; floorScore: number };

export interface EvaluationWeights {
  self: number;
  manager: number;
  peer: number;
  citizens: number;
  thirdParty: number;
}

export interface ContractPdfMilestone {
  seq: number;
  title: string;
  deliverables: string;
  dueDate: string;
  amountFen: number;
  /** An advance (首期款) is paid on signing, without evaluation. */
  advance: boolean;
  passScore: number | null;
  partialRule: PartialRule;
  weights: EvaluationWeights | null;
}

export interface ContractPdfSignature {
  signerName: string | null;
  signedAt: string | null;
}

export interface ContractPdfInput {
  number: string;
  version: number;
  title: string;
  partyA: ContractPdfParty;
  partyB: ContractPdfParty;
  catalogItem: string;
  serviceDescription: string;
  amountFen: number;
  periodStart: string;
  periodEnd: string;
  sources: { label: string; amountFen: number }[];
  milestones: ContractPdfMilestone[];
  signatures: { partyA: ContractPdfSignature; partyB: ContractPdfSignature };
  generatedAt: string;
}

export interface ContractPdfOptions {
  /** Drafts are watermarked 草稿 / DRAFT on every page. */
  draft: boolean;
  /** The public version: no personal phone numbers, ID numbers or personal addresses. */
  redacted: boolean;
}
