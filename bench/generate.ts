import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { Knex } from 'knex';
import { headMac, keyedHashEvent } from '../src/audit/audit';
import { isSqlite } from '../src/db/knex';
import { withCheckChar } from '../src/shared/credit-code';
import { splitByWeights, splitMatrix } from '../src/shared/split';
import { formatNumber } from '../src/modules/contracts/numbering';
import { gradeOf, starsOf } from '../src/modules/evaluations/weighting';
import { districtOf, organizationName, personName, serviceName, shortCode, streetName } from './names';
import { Progress } from './progress';

/**
 * A province-sized data set, written straight into the app's own tables (so every CHECK, foreign key
 * and trigger of the schema applies) in bulk inserts, many rows per transaction. At scale 1:
 * 100 street offices, 5,000 organizations, 50,000 calls, 200,000 bids with review scores, 100,000
 * contracts with 400,000 milestones and their reports and evaluations, about 1,000,000 ledger entries
 * with one audit event each plus one per bid, every settled milestone's approved proposal and payment
 * (its payment_sources naming the ledger's payment entries, so `npm run funds:reconcile` finds nothing),
 * the audit chain keyed and intact (hashed here exactly
 * as src/audit does, with BENCH_AUDIT_KEY), and the balance rows equal to what the entries add up to.
 * Bump GENERATOR_VERSION whenever what is generated changes: a stored set of another version is
 * thrown away and made again.
 */
export const GENERATOR_VERSION = 8;
/** The audit key of every generated set; the benchmark starts the app with it (AUDIT_KEY). */
export const BENCH_AUDIT_KEY = 'streetfund-bench-audit-key-not-secret-0123456789';
export const BENCH_PASSWORD = 'bench-password-1';

export interface Volumes {
  streets: number;
  organizations: number;
  reviewers: number;
  catalogItems: number;
  calls: number;
  bidsPerCall: number;
  itemsPerAward: number;
}

export function volumesFor(scale: number): Volumes {
  const n = (full: number, min: number) => Math.max(min, Math.round(full * scale));
  return {
    streets: n(100, 3),
    organizations: n(5000, 40),
    reviewers: n(200, 3),
    catalogItems: n(2000, 12),
    calls: n(50_000, 40),
    bidsPerCall: 4,
    itemsPerAward: 4,
  };
}

/** What the benchmark needs to know about a generated set: who signs in, and which rows to open. */
export interface BenchData {
  version: number;
  scale: number;
  volumes: Volumes;
  counts: Record<string, number>;
  seconds: number;
  users: { admin: string; manager: string; approver: string; orgStaff: string; reviewer: string; auditor: string };
  sample: {
    streetOfficeId: number;
    year: number;
    openCallId: number;
    awardedCallId: number;
    contractId: number;
    organizationId: number;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const day = 24 * 3600 * 1000;
const yearStart = (y: number) => Date.UTC(y, 0, 1);
/** A stable pseudo-random number in [0, 1) for (a, b): no Math.random, so a scale always gives the same set. */
const noise = (a: number, b = 0) => {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
};
/** Amounts that do not end in round numbers: a base in yuan plus odd fen. */
const awkwardFen = (base: number, i: number) => base + Math.floor(noise(i, 7) * 99_999) * 100 + 1 + (i % 97);

const PARAMS_PER_STATEMENT = 30_000; // under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters
const ROWS_PER_TRANSACTION = 40_000;

const TABLE_ORDER = [
  'street_offices',
  'organizations',
  'users',
  'user_street_offices',
  'catalog_items',
  'calls',
  'call_fund_sources',
  'call_criteria',
  'call_reviewers',
  'bids',
  'review_scores',
  'awards',
  'award_items',
  'contracts',
  'contract_versions',
  'contract_milestones',
  'milestone_reports',
  'milestone_evaluations',
  'fund_entries',
  'payment_proposals',
  'payments',
  'payment_sources',
  'fund_accounts',
  'contract_counters',
  'audit_events',
];

/** Buffers rows per table and writes them in dependency order (tables in the order first used), one transaction per flush. */
class Bulk {
  private readonly buffers = new Map<string, Record<string, unknown>[]>();
  private buffered = 0;
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly db: Knex,
    private readonly progress: Progress,
  ) {
    // Foreign keys are checked per statement: parents first, whatever order rows arrive in.
    for (const table of TABLE_ORDER) this.buffers.set(table, []);
  }

  async push(table: string, row: Record<string, unknown>): Promise<void> {
    let buffer = this.buffers.get(table);
    if (!buffer) this.buffers.set(table, (buffer = []));
    buffer.push(row);
    this.counts[table] = (this.counts[table] ?? 0) + 1;
    if (++this.buffered >= ROWS_PER_TRANSACTION) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffered === 0) return;
    const written = this.buffered;
    await this.db.transaction(async (trx) => {
      for (const [table, rows] of this.buffers) {
        if (rows.length === 0) continue;
        // One multi-row VALUES statement per chunk, bound parameters only: knex's own multi-row
        // insert on SQLite is a compound SELECT (500 rows at most) and costs several times more.
        const columns = Object.keys(rows[0]);
        const size = Math.max(1, Math.floor(PARAMS_PER_STATEMENT / columns.length));
        const tuple = `(${columns.map(() => '?').join(',')})`;
        for (let i = 0; i < rows.length; i += size) {
          const chunk = rows.slice(i, i + size);
          const values: unknown[] = [];
          for (const row of chunk) for (const c of columns) values.push(row[c]);
          await trx.raw(
            `INSERT INTO ${table} (${columns.join(',')}) VALUES ${chunk.map(() => tuple).join(',')}`,
            values as Knex.RawBinding[],
          );
        }
        rows.length = 0;
      }
    });
    this.buffered = 0;
    this.progress.add(written);
  }
}

/** The audit chain as src/audit/audit.ts writes it: ids from 1, each event keyed-hashed over the previous hash. */
class AuditChain {
  id = 0;
  prev = '0'.repeat(64);
  private clock: number;
  constructor(
    private readonly bulk: Bulk,
    private readonly key: string,
    from: number,
    private readonly step: number,
  ) {
    this.clock = from;
  }
  async push(e: {
    actorUserId: number | null;
    actorLabel: string;
    actorRole: string | null;
    streetOfficeId: number | null;
    organizationId: number | null;
    action: string;
    subjectType: string;
    subjectId: string;
    after: unknown;
  }): Promise<void> {
    this.id += 1;
    this.clock += this.step;
    const row = {
      id: this.id,
      occurred_at: iso(this.clock),
      actor_user_id: e.actorUserId,
      actor_label: e.actorLabel,
      actor_role: e.actorRole,
      street_office_id: e.streetOfficeId,
      organization_id: e.organizationId,
      action: e.action,
      subject_type: e.subjectType,
      subject_id: e.subjectId,
      before_json: null,
      after_json: JSON.stringify(e.after),
      ip: '127.0.0.1',
      request_id: crypto.randomUUID(),
      prev_hash: this.prev,
    };
    const hash = keyedHashEvent(row, this.key);
    this.prev = hash;
    await this.bulk.push('audit_events', { ...row, hash });
  }
}

const SOURCES = ['fiscal', 'lottery'] as const;
const SOURCE_SHARES = [70, 30];
const WEIGHTS = { self: 10, manager: 30, peer: 10, citizen: 20, third_party: 30 };
const MILESTONE_SHARES = [20, 30, 25, 25];
const PASS_SCORE = 60;

/** Fills an empty, migrated database. Returns what the benchmark needs; the caller stores it. */
export async function generate(db: Knex, scale: number, progress = new Progress()): Promise<BenchData> {
  const started = Date.now();
  const v = volumesFor(scale);
  if (isSqlite(db)) await db.raw('PRAGMA synchronous = OFF'); // a throw-away set: no fsync per transaction
  const bulk = new Bulk(db, progress);
  const hash = bcrypt.hashSync(BENCH_PASSWORD, 4);
  const stamp = iso(yearStart(2022));
  const stamps = { created_at: stamp, updated_at: stamp };

  // Users: 1 admin, 2 auditor, then a manager and an approver per street, reviewers, one staff per organization.
  const managerId = (s: number) => 3 + s;
  const approverId = (s: number) => 3 + v.streets + s;
  const reviewerId = (r: number) => 3 + 2 * v.streets + r;
  const staffId = (o: number) => 3 + 2 * v.streets + v.reviewers + o;

  const bidsTotal = Math.round(v.calls * 0.9) * v.bidsPerCall;
  const contractsTotal = Math.ceil(v.calls / 2) * v.itemsPerAward;
  const ledgerTotal = contractsTotal * 9;
  progress.start('base tables', v.streets + v.organizations * 2 + v.reviewers + 2 * v.streets + v.catalogItems + 3);

  for (let s = 0; s < v.streets; s++) {
    await bulk.push('street_offices', {
      id: s + 1,
      name: streetName(s),
      district: districtOf(s),
      short_code: shortCode(s),
      legal_representative: personName(s + 3),
      address: `南京市${districtOf(s)}${s + 1}号`,
      ...stamps,
    });
  }
  for (let o = 0; o < v.organizations; o++) {
    await bulk.push('organizations', {
      id: o + 1,
      name: organizationName(o),
      credit_code: withCheckChar(`52320115MJ${String(o + 1).padStart(7, '0')}`),
      status: 'approved',
      org_type: 'private_non_enterprise',
      legal_representative: personName(o),
      contact_person: personName(o + 11),
      contact_phone: `139${String(10_000_000 + o).slice(-8)}`,
      founded_on: `20${String(10 + (o % 14)).padStart(2, '0')}-0${1 + (o % 9)}-15`,
      certified_social_workers: o % 9,
      ...stamps,
    });
  }
  const user = (id: number, username: string, role: string, extra: Record<string, unknown> = {}) =>
    bulk.push('users', {
      id,
      username,
      display_name: personName(id),
      password_hash: hash,
      role,
      street_office_id: null,
      organization_id: null,
      disabled_at: null,
      must_change_password: false,
      ...stamps,
      ...extra,
    });
  await user(1, 'bench.admin', 'admin');
  await user(2, 'bench.auditor', 'auditor');
  for (let s = 0; s < v.streets; s++) await user(managerId(s), `mgr${s + 1}`, 'manager', { street_office_id: s + 1 });
  for (let s = 0; s < v.streets; s++) await user(approverId(s), `apr${s + 1}`, 'approver', { street_office_id: s + 1 });
  for (let r = 0; r < v.reviewers; r++) await user(reviewerId(r), `rev${r + 1}`, 'reviewer');
  for (let o = 0; o < v.organizations; o++)
    await user(staffId(o), `org${o + 1}`, 'org_staff', { organization_id: o + 1 });
  for (let s = 0; s < v.streets; s++) await bulk.push('user_street_offices', { user_id: 2, street_office_id: s + 1 });
  for (let i = 0; i < v.catalogItems; i++) {
    await bulk.push('catalog_items', {
      id: i + 1,
      category_id: (i % 6) + 1,
      street_office_id: i % 4 === 0 ? null : (i % v.streets) + 1,
      year: 2024 + (i % 3),
      code: `B-${String(i + 1).padStart(5, '0')}`,
      name: `${serviceName(i)}（${i + 1}）`,
      description: '为辖区高龄、独居老人及困难群众提供上门助餐、助洁、助浴和探访服务',
      service_standard: '每月上门不少于4次，每次不少于1小时，服务记录当日录入',
      unit: '人次',
      guidance_price_fen: awkwardFen(4_000, i),
      methods: 'contract_outsourcing,project_entrustment,venture',
      status: 'active',
      created_by: 1,
      ...stamps,
    });
  }
  await bulk.flush();
  progress.finish();

  // Calls with everything that hangs off them, one call at a time: the audit chain then reads in time order.
  const audit = new AuditChain(
    bulk,
    BENCH_AUDIT_KEY,
    yearStart(2022),
    Math.max(1, Math.floor((yearStart(2026) + 330 * day - yearStart(2022)) / (bidsTotal + ledgerTotal))),
  );
  const accounts = new Map<
    string,
    { streetOfficeId: number; year: number; source: string; reserved: number; committed: number; paid: number }
  >();
  const account = (streetOfficeId: number, year: number, source: string) => {
    const k = `${streetOfficeId}:${year}:${source}`;
    let a = accounts.get(k);
    if (!a) accounts.set(k, (a = { streetOfficeId, year, source, reserved: 0, committed: 0, paid: 0 }));
    return a;
  };
  const counters = new Map<string, number>();
  let entryId = 0;
  const entry = async (
    row: {
      street_office_id: number;
      year: number;
      source: string;
      kind: string;
      amount_fen: number;
      call_id?: number;
      contract_id?: number;
      award_item_id?: number;
      created_by: number;
      created_at: string;
    },
    actor: { id: number; role: string },
  ): Promise<number> => {
    entryId += 1;
    await bulk.push('fund_entries', {
      id: entryId,
      call_id: null,
      contract_id: null,
      award_item_id: null,
      reverses_entry_id: null,
      note: null,
      ...row,
    });
    await audit.push({
      actorUserId: actor.id,
      actorLabel: `user${actor.id}`,
      actorRole: actor.role,
      streetOfficeId: row.street_office_id,
      organizationId: null,
      action: `funds.${row.kind}`,
      subjectType: row.contract_id ? 'contract' : 'call',
      subjectId: String(row.contract_id ?? row.call_id),
      after: { entryId, source: row.source, amountFen: row.amount_fen },
    });
    return entryId;
  };

  progress.start(
    `calls (${v.calls.toLocaleString('en')}) and all below them`,
    v.calls * 2 + bidsTotal * 4 + contractsTotal * 26 + ledgerTotal * 2,
  );
  let bidId = 0;
  let scoreId = 0;
  let awardItemId = 0;
  let contractId = 0;
  let milestoneId = 0;
  let reportId = 0;
  let evaluationId = 0;
  let criterionId = 0;
  let sourceRowId = 0;
  let paymentId = 0;
  let paymentSourceId = 0;
  const sample = { streetOfficeId: 1, year: 2026, openCallId: 0, awardedCallId: 0, contractId: 0, organizationId: 1 };
  for (let i = 0; i < v.calls; i++) {
    const callId = i + 1;
    // Street offices in turn, shifted by one every round: with i % streets alone an even number of
    // street offices made each one's calls all of one kind and its contracts all of one year.
    const s = (i + Math.floor(i / v.streets)) % v.streets;
    const streetOfficeId = s + 1;
    const manager = { id: managerId(s), role: 'manager' };
    const kind =
      i % 2 === 0 ? 'awarded' : (['open', 'open', 'closed', 'draft', 'cancelled'] as const)[((i - 1) / 2) % 5];
    const year = kind === 'open' || kind === 'draft' ? 2026 : 2022 + (Math.floor(i / 2) % 5);
    const opens = yearStart(year) + (30 + (i % 200)) * day + (i % 1440) * 60_000;
    const closes = kind === 'open' ? yearStart(2027) + (30 + (i % 300)) * day : opens + 20 * day;
    const budget = awkwardFen(800_000_00, i) * 2;
    const item = (i % v.catalogItems) + 1;
    const status = kind === 'awarded' ? 'awarded' : kind === 'open' || kind === 'closed' ? 'published' : kind;
    const reviewed = kind === 'awarded' || kind === 'closed';
    await bulk.push('calls', {
      id: callId,
      street_office_id: streetOfficeId,
      catalog_item_id: item,
      title: `${streetName(s).replace('街道办事处', '')}${year}年度${serviceName(i)}项目（第${Math.floor(i / v.streets) + 1}批）`,
      description: '面向辖区居民提供专业社会服务，服务周期一年，按里程碑考核支付。',
      funding_mode: 'project_purchase',
      method: 'contract_outsourcing',
      budget_fen: budget,
      budget_year: year,
      per_project_cap_fen: null,
      opens_at: iso(opens),
      closes_at: iso(closes),
      weight_self: WEIGHTS.self,
      weight_manager: WEIGHTS.manager,
      weight_peer: WEIGHTS.peer,
      weight_citizen: WEIGHTS.citizen,
      weight_third_party: WEIGHTS.third_party,
      publicity_days: 7,
      status,
      published_at: kind === 'draft' ? null : iso(opens),
      cancelled_at: kind === 'cancelled' ? iso(opens + 5 * day) : null,
      cancel_reason: kind === 'cancelled' ? '预算调整，项目取消' : null,
      created_by: manager.id,
      bids_opened_at: reviewed ? iso(closes + day) : null,
      bids_opened_by: reviewed ? manager.id : null,
      scoring_closed_at: kind === 'awarded' ? iso(closes + 3 * day) : null,
      scoring_closed_by: kind === 'awarded' ? manager.id : null,
      max_advance_percent: 30,
      created_at: iso(opens - day),
      updated_at: iso(opens),
    });
    const sourceAmounts = splitByWeights(budget, SOURCE_SHARES);
    for (let k = 0; k < SOURCES.length; k++)
      await bulk.push('call_fund_sources', {
        id: ++sourceRowId,
        call_id: callId,
        source: SOURCES[k],
        amount_fen: sourceAmounts[k],
      });
    const criteria = [criterionId + 1, criterionId + 2];
    await bulk.push('call_criteria', { id: ++criterionId, call_id: callId, position: 1, name: '服务方案', weight: 60 });
    await bulk.push('call_criteria', {
      id: ++criterionId,
      call_id: callId,
      position: 2,
      name: '团队与经验',
      weight: 40,
    });
    const reviewer = reviewerId(i % v.reviewers);
    if (reviewed)
      await bulk.push('call_reviewers', {
        call_id: callId,
        reviewer_id: reviewer,
        assigned_by: manager.id,
        assigned_at: iso(closes),
      });
    if (kind === 'draft') continue;
    if (kind === 'open' && !sample.openCallId) sample.openCallId = callId;

    const bids: { id: number; org: number; price: number }[] = [];
    for (let b = 0; b < v.bidsPerCall; b++) {
      const org = ((i * 7 + b * 13) % v.organizations) + 1;
      const price = Math.floor(budget / v.bidsPerCall) - awkwardFen(1_000_00, i * 4 + b);
      const id = ++bidId;
      bids.push({ id, org, price });
      const submitted = iso(opens + (2 + b) * day);
      await bulk.push('bids', {
        id,
        call_id: callId,
        organization_id: org,
        status: 'submitted',
        price_fen: price,
        matching_funds_fen: b === 0 ? awkwardFen(1_000_00, id) : 0,
        service_plan: '组建专业社工团队，建立服务对象档案，每月入户走访并开展小组活动。',
        staffing: '持证社工3名，志愿者10名',
        schedule: '按季度推进',
        expected_outcomes: '服务对象满意度不低于90%',
        submitted_at: submitted,
        created_by: staffId(org - 1),
        updated_by: staffId(org - 1),
        created_at: submitted,
        updated_at: submitted,
        ref: crypto.createHash('sha256').update(`bid-${id}`).digest('hex').slice(0, 16),
      });
      // The bid event an install before the sealed logs wrote to the main chain (the audit trail must hide those of open calls).
      await audit.push({
        actorUserId: staffId(org - 1),
        actorLabel: `org${org}`,
        actorRole: 'org_staff',
        streetOfficeId,
        organizationId: org,
        action: 'bid.submit',
        subjectType: 'bid',
        subjectId: String(id),
        after: { callId, priceFen: price },
      });
      if (reviewed) {
        for (let c = 0; c < criteria.length; c++) {
          const score = 55 + Math.floor(noise(id, c) * 45);
          await bulk.push('review_scores', {
            id: ++scoreId,
            bid_id: id,
            reviewer_id: reviewer,
            criterion_id: criteria[c],
            score,
            comment: score > 85 ? '方案完整，团队经验丰富' : null,
            created_at: iso(closes + 2 * day),
            updated_at: iso(closes + 2 * day),
          });
        }
      }
    }
    if (kind !== 'awarded') continue;
    if (!sample.awardedCallId) sample.awardedCallId = callId;

    // Award every bid (a framework purchase of four lots), reserve the budget, commit each lot, release the rest.
    const awardId = (i >> 1) + 1;
    const finalAt = iso(closes + 12 * day);
    await bulk.push('awards', {
      id: awardId,
      call_id: callId,
      status: 'final',
      proposed_by: manager.id,
      proposed_at: iso(closes + 4 * day),
      publicity_ends_at: iso(closes + 11 * day),
      finalized_by: approverId(s),
      final_at: finalAt,
    });
    for (let k = 0; k < SOURCES.length; k++) {
      account(streetOfficeId, year, SOURCES[k]).reserved += sourceAmounts[k];
      await entry(
        {
          street_office_id: streetOfficeId,
          year,
          source: SOURCES[k],
          kind: 'reservation',
          amount_fen: sourceAmounts[k],
          call_id: callId,
          created_by: manager.id,
          created_at: iso(opens),
        },
        manager,
      );
    }
    const committedPerSource = [0, 0];
    for (let b = 0; b < bids.length; b++) {
      const bid = bids[b];
      const itemId = ++awardItemId;
      await bulk.push('award_items', {
        id: itemId,
        award_id: awardId,
        bid_id: bid.id,
        rank: b + 1,
        amount_fen: bid.price,
        // Every generated item has its contract, drafted when the award became final (as the
        // migration that added the column fills it from the contract's created_at).
        contract_drafted_at: finalAt,
      });
      const perSource = splitByWeights(bid.price, SOURCE_SHARES);
      const cid = ++contractId;
      if (!sample.contractId && year === 2026 && streetOfficeId === sample.streetOfficeId) sample.contractId = cid;
      const counterKey = `${streetOfficeId}:${year}`;
      const seq = (counters.get(counterKey) ?? 0) + 1;
      counters.set(counterKey, seq);
      const completed = year < 2026;
      const signedAt = closes + 20 * day;
      const street = {
        name: streetName(s),
        legalRepresentative: personName(s + 3),
        address: `南京市${districtOf(s)}${s + 1}号`,
      };
      const org = {
        name: organizationName(bid.org - 1),
        legalRepresentative: personName(bid.org - 1),
        address: `南京市${districtOf(bid.org * 7)}${bid.org}号`,
        creditCode: withCheckChar(`52320115MJ${String(bid.org).padStart(7, '0')}`),
        contactName: personName(bid.org + 10),
        contactPhone: `139${String(10_000_000 + bid.org - 1).slice(-8)}`,
      };
      await bulk.push('contracts', {
        id: cid,
        number: formatNumber(shortCode(s), year, seq),
        street_office_id: streetOfficeId,
        year,
        seq,
        award_id: awardId,
        award_item_id: itemId,
        call_id: callId,
        category_id: ((item - 1) % 6) + 1,
        organization_id: bid.org,
        title: `${serviceName(i)}服务合同`,
        status: completed ? 'completed' : 'active',
        current_version: 1,
        party_a_json: JSON.stringify(street),
        party_b_json: JSON.stringify(org),
        signing_deadline: iso(closes + 30 * day),
        sent_at: iso(closes + 14 * day),
        sent_by: manager.id,
        accepted_at: iso(closes + 16 * day),
        accepted_by: staffId(bid.org - 1),
        signed_at: iso(signedAt),
        signed_by: manager.id,
        signing_date: iso(signedAt).slice(0, 10),
        pdf_sha256: crypto.createHash('sha256').update(`contract-${cid}`).digest('hex'),
        completed_at: completed ? iso(yearStart(year + 1) - 10 * day) : null,
        created_by: manager.id,
        created_at: finalAt,
        updated_at: iso(signedAt),
      });
      const milestoneAmounts = splitByWeights(bid.price, MILESTONE_SHARES);
      const matrix = splitMatrix(milestoneAmounts, perSource); // [milestone][source], adding up both ways
      const periodStart = iso(signedAt).slice(0, 10);
      const periodEnd = iso(signedAt + 360 * day).slice(0, 10);
      const milestones = milestoneAmounts.map((amountFen, m) => ({
        seq: m + 1,
        title: m === 0 ? '预付款' : `第${m}阶段服务`,
        deliverables: m === 0 ? '合同签订' : '服务记录、活动照片、满意度调查表',
        dueDate: iso(signedAt + (m * 90 + 1) * day).slice(0, 10),
        amountFen,
        advance: m === 0,
        passScore: m === 0 ? null : PASS_SCORE,
        partialRule: 'none',
        floorScore: null,
        weights: WEIGHTS,
      }));
      await bulk.push('contract_versions', {
        id: cid,
        contract_id: cid,
        version: 1,
        status: 'current',
        amount_fen: bid.price,
        period_start: periodStart,
        period_end: periodEnd,
        service_plan: '组建专业社工团队，建立服务对象档案，每月入户走访并开展小组活动。',
        sources_json: JSON.stringify(SOURCES.map((source, k) => ({ source, amountFen: perSource[k] }))),
        milestones_json: JSON.stringify(milestones),
        proposed_by: manager.id,
        proposed_at: finalAt,
        decided_by: staffId(bid.org - 1),
        decided_at: iso(closes + 16 * day),
      });
      for (let k = 0; k < SOURCES.length; k++) {
        committedPerSource[k] += perSource[k];
        const a = account(streetOfficeId, year, SOURCES[k]);
        a.reserved -= perSource[k];
        a.committed += perSource[k];
        await entry(
          {
            street_office_id: streetOfficeId,
            year,
            source: SOURCES[k],
            kind: 'commitment',
            amount_fen: perSource[k],
            call_id: callId,
            contract_id: cid,
            award_item_id: itemId,
            created_by: approverId(s),
            created_at: finalAt,
          },
          { id: approverId(s), role: 'approver' },
        );
      }
      for (const m of milestones) {
        const evaluated = m.seq === 2 || m.seq === 3 || (m.seq === 4 && completed);
        const total = 5200 + Math.floor(noise(cid, m.seq) * 4700);
        const passed = m.advance || (evaluated && total >= PASS_SCORE * 100);
        const settledAt = iso(signedAt + (m.advance ? 1 : (m.seq - 1) * 90 + 10) * day);
        const settlement = m.advance ? 'paid' : evaluated ? (passed ? 'paid' : 'withheld') : null;
        await bulk.push('contract_milestones', {
          id: ++milestoneId,
          contract_id: cid,
          seq: m.seq,
          title: m.title,
          deliverables: m.deliverables,
          due_date: m.dueDate,
          amount_fen: m.amountFen,
          advance: m.advance,
          pass_score: m.passScore,
          partial_rule: 'none',
          floor_score: null,
          weight_self: WEIGHTS.self,
          weight_manager: WEIGHTS.manager,
          weight_peer: WEIGHTS.peer,
          weight_citizen: WEIGHTS.citizen,
          weight_third_party: WEIGHTS.third_party,
          settlement,
          settled_at: settlement ? settledAt : null,
        });
        if (evaluated) {
          const submittedAt = iso(signedAt + (m.seq - 1) * 90 * day);
          const selfScore = Math.min(10000, total + 500);
          await bulk.push('milestone_reports', {
            id: ++reportId,
            contract_id: cid,
            milestone_seq: m.seq,
            organization_id: bid.org,
            street_office_id: streetOfficeId,
            version: 1,
            status: 'submitted',
            delivered_json: JSON.stringify([{ deliverable: m.deliverables, done: true }]),
            people_served: 20 + (cid % 180),
            sessions_held: 4 + (cid % 20),
            problems: null,
            self_score: selfScore,
            self_comment: '按计划完成本阶段服务',
            created_by: staffId(bid.org - 1),
            created_at: submittedAt,
            updated_at: submittedAt,
            submitted_by: staffId(bid.org - 1),
            submitted_at: submittedAt,
          });
          const closedAt = iso(signedAt + ((m.seq - 1) * 90 + 8) * day);
          await bulk.push('milestone_evaluations', {
            id: ++evaluationId,
            contract_id: cid,
            milestone_seq: m.seq,
            street_office_id: streetOfficeId,
            organization_id: bid.org,
            report_id: reportId,
            status: 'closed',
            opened_at: submittedAt,
            manager_score: total,
            manager_comment: total >= 8000 ? '服务扎实，居民反映良好' : '部分服务记录不完整',
            manager_scored_by: manager.id,
            manager_scored_at: closedAt,
            self_score: selfScore,
            total_score: total,
            grade: gradeOf(total),
            stars: starsOf(total),
            pass_score: PASS_SCORE,
            passed: total >= PASS_SCORE * 100,
            // The shape closeEvaluation writes (src/modules/evaluations/evaluation.ts), one assessor.
            weights_json: JSON.stringify({
              used: [{ source: 'manager', score: total, weight: 100, usedWeight: 10000 }],
              missing: [],
              contract: WEIGHTS,
              citizenRatings: 0,
            }),
            closed_by: manager.id,
            closed_at: closedAt,
          });
        }
        if (settlement) {
          // What approveProposal (src/modules/payments) writes: the manager's proposal decided by the
          // approver, the payment (withheld: amount 0, nothing paid), and per source the ledger entry.
          const paid = settlement === 'paid' ? m.amountFen : 0;
          const sources = paid
            ? SOURCES.map((source, k) => ({ source, amountFen: matrix[m.seq - 1][k] })).filter((x) => x.amountFen > 0)
            : [];
          const proposedAt = iso(Date.parse(settledAt) - day);
          const score = evaluated ? total : null;
          const proposalId = ++paymentId;
          await bulk.push('payment_proposals', {
            id: proposalId,
            kind: paid ? 'release' : 'withheld',
            contract_id: cid,
            milestone_id: milestoneId,
            milestone_seq: m.seq,
            street_office_id: streetOfficeId,
            organization_id: bid.org,
            amount_fen: paid,
            allowed_fen: paid,
            sources_json: JSON.stringify(sources),
            evaluation_id: evaluated ? evaluationId : null,
            score,
            grade: score === null ? null : gradeOf(score),
            basis_json: JSON.stringify({
              shareFen: m.amountFen,
              passScore: m.passScore,
              floorScore: null,
              kind: m.advance ? 'advance' : paid ? 'full' : 'withheld',
              allowedFen: paid,
              score,
              grade: score === null ? null : gradeOf(score),
            }),
            reason: paid ? null : `评估得分 ${(total / 100).toFixed(2)} 低于合格分 ${PASS_SCORE}`,
            invoice_id: null,
            reverses_payment_id: null,
            status: 'approved',
            proposed_by: manager.id,
            proposed_at: proposedAt,
            decided_by: approverId(s),
            decided_at: settledAt,
            decision_reason: null,
          });
          await bulk.push('payments', {
            id: proposalId,
            kind: paid ? 'release' : 'withheld',
            proposal_id: proposalId,
            contract_id: cid,
            milestone_id: milestoneId,
            milestone_seq: m.seq,
            street_office_id: streetOfficeId,
            organization_id: bid.org,
            amount_fen: paid,
            reverses_payment_id: null,
            proposed_by: manager.id,
            proposed_at: proposedAt,
            approved_by: approverId(s),
            approved_at: settledAt,
          });
          for (const part of sources) {
            const a = account(streetOfficeId, year, part.source);
            a.committed -= part.amountFen;
            a.paid += part.amountFen;
            const ledgerEntryId = await entry(
              {
                street_office_id: streetOfficeId,
                year,
                source: part.source,
                kind: 'payment',
                amount_fen: part.amountFen,
                contract_id: cid,
                award_item_id: itemId,
                created_by: approverId(s),
                created_at: settledAt,
              },
              { id: approverId(s), role: 'approver' },
            );
            await bulk.push('payment_sources', {
              id: ++paymentSourceId,
              payment_id: proposalId,
              source: part.source,
              amount_fen: part.amountFen,
              ledger_entry_id: ledgerEntryId,
              release_entry_id: null,
            });
          }
        }
      }
    }
    for (let k = 0; k < SOURCES.length; k++) {
      const rest = sourceAmounts[k] - committedPerSource[k];
      if (rest <= 0) continue;
      account(streetOfficeId, year, SOURCES[k]).reserved -= rest;
      await entry(
        {
          street_office_id: streetOfficeId,
          year,
          source: SOURCES[k],
          kind: 'reservation_release',
          amount_fen: rest,
          call_id: callId,
          created_by: manager.id,
          created_at: finalAt,
        },
        manager,
      );
    }
  }

  // Allocations cover what was used with some headroom; the balance rows are what the entries add up to.
  for (const a of accounts.values()) {
    const allocated = a.reserved + a.committed + a.paid + awkwardFen(500_000_00, a.streetOfficeId * 10 + a.year);
    const admin = { id: 1, role: 'admin' };
    await entry(
      {
        street_office_id: a.streetOfficeId,
        year: a.year,
        source: a.source,
        kind: 'allocation',
        amount_fen: allocated,
        created_by: 1,
        created_at: iso(yearStart(a.year)),
      },
      admin,
    );
    await bulk.push('fund_accounts', {
      street_office_id: a.streetOfficeId,
      year: a.year,
      source: a.source,
      allocated_fen: allocated,
      reserved_fen: a.reserved,
      committed_fen: a.committed,
      paid_fen: a.paid,
      updated_at: iso(yearStart(a.year)),
    });
  }
  for (const [k, last] of counters) {
    const [streetOfficeId, year] = k.split(':').map(Number);
    await bulk.push('contract_counters', { street_office_id: streetOfficeId, year, last_seq: last });
  }
  await bulk.flush();
  progress.finish();
  await db('audit_chain_head')
    .where({ id: 1 })
    .update({
      last_event_id: audit.id,
      last_hash: audit.prev,
      keyed_from_id: 1,
      head_mac: headMac(audit.id, audit.prev, 1, BENCH_AUDIT_KEY),
    });

  if (!isSqlite(db)) {
    // Explicit ids were written: move each serial sequence past them, as the app's inserts expect.
    for (const table of Object.keys(bulk.counts)) {
      const hasId = await db.raw(
        `SELECT 1 FROM information_schema.columns WHERE table_name = ? AND column_name = 'id'`,
        [table],
      );
      if (hasId.rows.length)
        await db.raw(`SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT COALESCE(MAX(id), 1) FROM ??))`, [
          table,
          table,
        ]);
    }
  }
  progress.start('ANALYZE', 1);
  await db.raw('ANALYZE');
  progress.add(1);
  progress.finish();
  if (isSqlite(db)) await db.raw('PRAGMA synchronous = FULL');

  return {
    version: GENERATOR_VERSION,
    scale,
    volumes: v,
    counts: bulk.counts,
    seconds: (Date.now() - started) / 1000,
    users: {
      admin: 'bench.admin',
      manager: 'mgr1',
      approver: 'apr1',
      orgStaff: `org${sample.organizationId}`,
      reviewer: 'rev1',
      auditor: 'bench.auditor',
    },
    sample,
  };
}
