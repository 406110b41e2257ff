import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { Knex } from 'knex';
import { hashEvent } from '../src/audit/audit';
import { withCheckChar } from '../src/shared/credit-code';

/** Volumes of a large district after some years of use. */
export const VOLUME = {
  streets: 30,
  organizations: 3000,
  users: 6000,
  auditEvents: 60000,
  catalogItems: 1500,
  calls: 6000,
  bidsPerCall: 4,
};

const at = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();

async function insertChunks(db: Knex, table: string, rows: Record<string, unknown>[], size = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await db(table).insert(rows.slice(i, i + size));
}

/** Fills an empty, migrated database. Rows are inserted in bulk; the audit chain is computed as the app would. */
export async function generate(db: Knex): Promise<{ adminUsername: string; password: string }> {
  const password = 'bench-password-1';
  const hash = bcrypt.hashSync(password, 4);
  const stamps = { created_at: at(0), updated_at: at(0) };
  await insertChunks(db, 'street_offices', Array.from({ length: VOLUME.streets }, (_, i) => ({ name: `街道${i + 1}`, district: `区${(i % 5) + 1}`, ...stamps })));
  await insertChunks(
    db,
    'organizations',
    Array.from({ length: VOLUME.organizations }, (_, i) => ({
      name: `社会组织${i + 1}`,
      credit_code: withCheckChar(`52320115MJ${String(i + 1).padStart(7, '0')}`),
      status: i % 10 === 0 ? 'pending' : 'approved',
      ...stamps,
    })),
  );
  const roles = ['org_staff', 'manager', 'approver', 'reviewer', 'auditor'];
  await insertChunks(
    db,
    'users',
    Array.from({ length: VOLUME.users }, (_, i) => {
      const role = i === 0 ? 'admin' : roles[i % roles.length];
      return {
        username: i === 0 ? 'bench.admin' : `user${i}`,
        display_name: `用户${i}`,
        password_hash: hash,
        role,
        street_office_id: role === 'manager' || role === 'approver' ? (i % VOLUME.streets) + 1 : null,
        organization_id: role === 'org_staff' ? (i % VOLUME.organizations) + 1 : null,
        disabled_at: null,
        ...stamps,
      };
    }),
  );

  let prev = '0'.repeat(64);
  const events = [];
  for (let id = 1; id <= VOLUME.auditEvents; id++) {
    const row = {
      id,
      occurred_at: at(id),
      actor_user_id: (id % VOLUME.users) + 1,
      actor_label: `user${id % VOLUME.users}`,
      actor_role: 'manager',
      street_office_id: (id % VOLUME.streets) + 1,
      organization_id: null,
      action: id % 3 ? 'auth.sign_in' : 'street_office.rename',
      subject_type: 'user',
      subject_id: String(id % 1000),
      before_json: null,
      after_json: JSON.stringify({ n: id }),
      ip: '127.0.0.1',
      request_id: crypto.randomUUID(),
      prev_hash: prev,
    };
    const h = hashEvent(row);
    events.push({ ...row, hash: h });
    prev = h;
  }
  await insertChunks(db, 'audit_events', events, 200);
  await db('audit_chain_head').where({ id: 1 }).update({ last_event_id: VOLUME.auditEvents, last_hash: prev });
  await insertChunks(
    db,
    'catalog_items',
    Array.from({ length: VOLUME.catalogItems }, (_, i) => ({
      category_id: (i % 6) + 1,
      street_office_id: i % 4 === 0 ? null : (i % VOLUME.streets) + 1,
      year: 2024 + (i % 3),
      code: `B-${i + 1}`,
      name: `居家养老上门服务${i + 1}`,
      description: '为辖区高龄、独居老人提供上门助餐、助洁、助浴服务',
      service_standard: '每月上门不少于4次',
      unit: '人次',
      guidance_price_fen: 5000 + i,
      methods: 'contract_outsourcing,project_entrustment,venture',
      status: 'active',
      ...stamps,
    })),
  );
  const statuses = ['published', 'published', 'draft', 'cancelled', 'awarded'];
  await insertChunks(
    db,
    'calls',
    Array.from({ length: VOLUME.calls }, (_, i) => ({
      street_office_id: (i % VOLUME.streets) + 1,
      catalog_item_id: (i % VOLUME.catalogItems) + 1,
      title: `项目公告${i + 1}`,
      description: '项目说明',
      funding_mode: 'project_purchase',
      method: 'contract_outsourcing',
      budget_fen: 10_000_000 + i,
      budget_year: 2026,
      per_project_cap_fen: null,
      opens_at: at(i),
      closes_at: at(VOLUME.calls * 2 + i * 10),
      weight_self: 10,
      weight_manager: 30,
      weight_peer: 10,
      weight_citizen: 20,
      weight_third_party: 30,
      publicity_days: 7,
      status: statuses[i % statuses.length],
      published_at: at(i),
      ...stamps,
    })),
  );
  const bids = [];
  for (let call = 1; call <= VOLUME.calls; call++) {
    for (let b = 0; b < VOLUME.bidsPerCall; b++) {
      bids.push({
        call_id: call,
        organization_id: ((call * 7 + b * 13) % VOLUME.organizations) + 1,
        status: 'submitted',
        price_fen: 9_000_000 + b,
        matching_funds_fen: 0,
        service_plan: '服务方案',
        submitted_at: at(call + b),
        ...stamps,
      });
    }
  }
  await insertChunks(db, 'bids', bids);
  return { adminUsername: 'bench.admin', password };
}
