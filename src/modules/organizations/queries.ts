import type { Queryable } from '../../db/knex';

export interface OrganizationRow {
  id: number;
  name: string;
  credit_code: string;
  status: 'pending' | 'approved' | 'rejected' | 'suspended';
  created_at: string;
  updated_at: string;
}

export interface DocumentRow {
  id: number;
  organization_id: number;
  kind: string;
  created_at: string;
  file_id: number;
  original_name: string;
  size_bytes: number;
  mime_type: string;
  storage_key: string;
  sha256: string;
}

export async function findOrganization(db: Queryable, id: number): Promise<OrganizationRow | undefined> {
  return db<OrganizationRow>('organizations').where({ id }).first();
}

export async function listOrganizationOptions(db: Queryable): Promise<{ id: number; name: string }[]> {
  return db('organizations').orderBy('name').select('id', 'name');
}

export async function organizationSummary(db: Queryable, id: number) {
  const [org, docs] = await Promise.all([
    findOrganization(db, id),
    db('organization_documents').where({ organization_id: id }).count({ n: '*' }).first(),
  ]);
  return org ? { ...org, documentCount: Number(docs?.n ?? 0) } : null;
}

const DOCUMENT_COLUMNS = [
  'd.id',
  'd.organization_id',
  'd.kind',
  'd.created_at',
  'd.file_id',
  'f.original_name',
  'f.size_bytes',
  'f.mime_type',
  'f.storage_key',
  'f.sha256',
];

export async function listDocuments(db: Queryable, organizationId: number): Promise<DocumentRow[]> {
  return db('organization_documents as d')
    .join('stored_files as f', 'f.id', 'd.file_id')
    .where('d.organization_id', organizationId)
    .orderBy('d.id', 'desc')
    .select(DOCUMENT_COLUMNS);
}

/** The document only if it belongs to this organization: a forged id of another's document is not found. */
export async function findDocument(db: Queryable, organizationId: number, documentId: number): Promise<DocumentRow | undefined> {
  return db('organization_documents as d')
    .join('stored_files as f', 'f.id', 'd.file_id')
    .where({ 'd.organization_id': organizationId, 'd.id': documentId })
    .first(DOCUMENT_COLUMNS);
}
