import type { Queryable } from '../../db/knex';

export type ReportStatus = 'draft' | 'submitted' | 'returned';

export interface ReportRow {
  id: number;
  contract_id: number;
  milestone_seq: number;
  organization_id: number;
  street_office_id: number;
  version: number;
  status: ReportStatus;
  delivered_json: string;
  people_served: number | null;
  sessions_held: number | null;
  problems: string | null;
  self_score: number | null;
  self_comment: string | null;
  created_by: number;
  created_at: string;
  updated_at: string;
  submitted_by: number | null;
  submitted_at: string | null;
  returned_by: number | null;
  returned_at: string | null;
  return_reason: string | null;
  submitted_by_name?: string | null;
  returned_by_name?: string | null;
}

export interface EvidenceFile {
  report_id: number;
  file_id: number;
  original_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  created_at: string;
}

const numeric = (r: ReportRow): ReportRow => ({
  ...r,
  id: Number(r.id),
  contract_id: Number(r.contract_id),
  milestone_seq: Number(r.milestone_seq),
  organization_id: Number(r.organization_id),
  street_office_id: Number(r.street_office_id),
  version: Number(r.version),
  people_served: r.people_served === null ? null : Number(r.people_served),
  sessions_held: r.sessions_held === null ? null : Number(r.sessions_held),
  self_score: r.self_score === null ? null : Number(r.self_score),
});

/** Every version of a milestone's report, newest first, with who submitted and returned each. */
export async function reportVersions(db: Queryable, contractId: number, seq: number): Promise<ReportRow[]> {
  const rows = await db('milestone_reports as r')
    .leftJoin('users as us', 'us.id', 'r.submitted_by')
    .leftJoin('users as ur', 'ur.id', 'r.returned_by')
    .where({ 'r.contract_id': contractId, 'r.milestone_seq': seq })
    .orderBy('r.version', 'desc')
    .select('r.*', 'us.display_name as submitted_by_name', 'ur.display_name as returned_by_name');
  return rows.map(numeric);
}

/** The open version (a draft or a submitted one), if any. */
export async function openReport(db: Queryable, contractId: number, seq: number): Promise<ReportRow | undefined> {
  const r = await db<ReportRow>('milestone_reports')
    .where({ contract_id: contractId, milestone_seq: seq })
    .whereIn('status', ['draft', 'submitted'])
    .first();
  return r ? numeric(r) : undefined;
}

/** The newest version, whatever its status. */
export async function latestReport(db: Queryable, contractId: number, seq: number): Promise<ReportRow | undefined> {
  const r = await db<ReportRow>('milestone_reports')
    .where({ contract_id: contractId, milestone_seq: seq })
    .orderBy('version', 'desc')
    .first();
  return r ? numeric(r) : undefined;
}

/** The evidence of the given report versions (one query). */
export async function evidenceOf(db: Queryable, reportIds: number[]): Promise<EvidenceFile[]> {
  if (!reportIds.length) return [];
  const rows = await db('milestone_report_files as rf')
    .join('stored_files as f', 'f.id', 'rf.file_id')
    .whereIn('rf.report_id', reportIds)
    .orderBy([{ column: 'rf.report_id' }, { column: 'rf.id' }])
    .select(
      'rf.report_id',
      'rf.file_id',
      'f.original_name',
      'f.mime_type',
      'f.size_bytes',
      'f.sha256',
      'f.storage_key',
      'f.created_at',
    );
  return rows.map((r) => ({
    ...r,
    report_id: Number(r.report_id),
    file_id: Number(r.file_id),
    size_bytes: Number(r.size_bytes),
  }));
}

/** A file that belongs to some version of this milestone's report. */
export async function milestoneEvidence(
  db: Queryable,
  contractId: number,
  seq: number,
  fileId: number,
): Promise<EvidenceFile | undefined> {
  const r = await db('milestone_report_files as rf')
    .join('milestone_reports as r', 'r.id', 'rf.report_id')
    .join('stored_files as f', 'f.id', 'rf.file_id')
    .where({ 'r.contract_id': contractId, 'r.milestone_seq': seq, 'rf.file_id': fileId })
    .first(
      'rf.report_id',
      'rf.file_id',
      'f.original_name',
      'f.mime_type',
      'f.size_bytes',
      'f.sha256',
      'f.storage_key',
      'f.created_at',
    );
  return r
    ? { ...r, report_id: Number(r.report_id), file_id: Number(r.file_id), size_bytes: Number(r.size_bytes) }
    : undefined;
}

/** Latest report status per (contract, seq) for the given contracts (one query). Key `${contractId}:${seq}`. */
export async function reportStatusesOf(db: Queryable, contractIds: number[]): Promise<Map<string, ReportStatus>> {
  if (!contractIds.length) return new Map();
  const rows = await db('milestone_reports as r')
    .whereIn('r.contract_id', contractIds)
    .whereNotExists(
      db('milestone_reports as n')
        .whereRaw('n.contract_id = r.contract_id and n.milestone_seq = r.milestone_seq and n.version > r.version')
        .select(db.raw('1')),
    )
    .select('r.contract_id', 'r.milestone_seq', 'r.status');
  return new Map(rows.map((r) => [`${Number(r.contract_id)}:${Number(r.milestone_seq)}`, r.status as ReportStatus]));
}
