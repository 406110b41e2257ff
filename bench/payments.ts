import crypto from 'node:crypto';
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import { useAuditKey, type Actor } from '../src/audit/audit';
import { verifyAll } from '../src/audit/verify';
import type { AppDeps } from '../src/deps';
import type { SessionUser } from '../src/modules/accounts/roles';
import { totpAt } from '../src/modules/accounts/totp';
import { gradeOf, starsOf } from '../src/modules/evaluations/weighting';
import { negativeHoldings, reconcile } from '../src/modules/funds/reconcile';
import { paymentInvariants } from '../src/modules/payments/invariants';
import { proposePayment, uploadInvoice } from '../src/modules/payments/service';
import { systemClock } from '../src/shared/clock';
import type { BenchSet } from './data';
import { BENCH_AUDIT_KEY, BENCH_PASSWORD } from './generate';
import { getPage, signIn, type Server } from './processes';
import { minimalPdf, type WriteFigures } from './writes';

/**
 * Payment approvals through HTTP (issue 12's benchmark). Before the run, on the working copy:
 * milestone 4 of active contracts (the one the generator leaves unevaluated) gets a closed
 * evaluation above its pass score (written directly, as test/payments/factory.ts `closeWith`
 * does: the evaluation flow is not what is measured), then the organization's invoice and the
 * manager's proposal go through the payments service (audited transactions, the ledger untouched
 * until approval). Each street's approver signs in through the form and enrols the second factor
 * through the pages (a code from the TOTP secret shown there), so the session has proved it, as
 * production requires for approving. The approvals are then posted at 4 connections, each once,
 * with the session's CSRF token and a fresh one-time key, and afterwards every proposal approved
 * is checked to have released exactly once (one payment, its milestone paid, its ledger entries
 * adding up), and the whole ledger proof of `npm run funds:reconcile` must find nothing.
 */

const STREETS = 4;

export interface ApprovalJob {
  proposalId: number;
  path: string;
  cookie: string;
  body: string;
}

const sessionUser = (row: {
  id: number;
  username: string;
  role: string;
  street_office_id: number | null;
  organization_id: number | null;
}): SessionUser => ({
  id: Number(row.id),
  username: row.username,
  displayName: row.username,
  role: row.role as SessionUser['role'],
  streetOfficeId: row.street_office_id === null ? null : Number(row.street_office_id),
  streetOfficeName: null,
  organizationId: row.organization_id === null ? null : Number(row.organization_id),
  organizationName: null,
  streetOfficeIds: row.street_office_id === null ? [] : [Number(row.street_office_id)],
});
const actorOf = (u: SessionUser): Actor => ({
  userId: u.id,
  label: u.username,
  role: u.role,
  ip: '127.0.0.1',
  requestId: crypto.randomUUID(),
});

interface Candidate {
  contract_id: number;
  street_office_id: number;
  organization_id: number;
  milestone_id: number;
  seq: number;
  amount_fen: number;
  pass_score: number;
}

/** Milestones that can be paid once evaluated: unsettled, not evaluated, no proposal, of active contracts, in up to STREETS street offices. */
async function candidates(db: Knex, count: number): Promise<Candidate[]> {
  const rows: Candidate[] = await db('contracts as c')
    .join('contract_milestones as m', 'm.contract_id', 'c.id')
    .where('c.status', 'active')
    .where('m.advance', false)
    .whereNull('m.settlement')
    .whereNotExists((q) =>
      q
        .select(db.raw('1'))
        .from('milestone_evaluations as e')
        .whereRaw('e.contract_id = c.id AND e.milestone_seq = m.seq'),
    )
    .whereNotExists((q) =>
      q.select(db.raw('1')).from('payment_proposals as p').whereRaw('p.contract_id = c.id AND p.milestone_seq = m.seq'),
    )
    .whereIn('c.street_office_id', db('street_offices').orderBy('id').limit(STREETS).select('id'))
    .orderBy('c.id')
    .select(
      'c.id as contract_id',
      'c.street_office_id',
      'c.organization_id',
      'm.id as milestone_id',
      'm.seq',
      'm.amount_fen',
      'm.pass_score',
    );
  // One milestone per contract (its next), round-robin over the street offices.
  const perContract = new Map<number, Candidate>();
  for (const r of rows)
    if (!perContract.has(Number(r.contract_id)) || Number(r.seq) < perContract.get(Number(r.contract_id))!.seq)
      perContract.set(Number(r.contract_id), {
        ...r,
        contract_id: Number(r.contract_id),
        street_office_id: Number(r.street_office_id),
        organization_id: Number(r.organization_id),
        milestone_id: Number(r.milestone_id),
        seq: Number(r.seq),
        amount_fen: Number(r.amount_fen),
        pass_score: Number(r.pass_score),
      });
  const byStreet = new Map<number, Candidate[]>();
  for (const c of perContract.values())
    byStreet.set(c.street_office_id, [...(byStreet.get(c.street_office_id) ?? []), c]);
  const out: Candidate[] = [];
  for (let i = 0; out.length < count; i++) {
    let any = false;
    for (const list of byStreet.values()) {
      if (i >= list.length || out.length >= count) continue;
      out.push(list[i]);
      any = true;
    }
    if (!any) break;
  }
  return out;
}

/** The session's approver with the second factor enrolled and proved through the pages. */
async function approverSession(base: string, username: string): Promise<{ cookie: string; csrf: string }> {
  const cookie = await signIn(base, username, BENCH_PASSWORD);
  const tokenOf = async (pathname: string) => {
    const page = await getPage(base, pathname, cookie);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error(`${username}: no CSRF token on ${pathname} (${page.status})`);
    return { token, text: page.text };
  };
  const post = async (pathname: string, fields: Record<string, string>) => {
    const res = await fetch(base + pathname, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const first = await tokenOf('/account/second-factor');
  if ((await post('/account/second-factor', { _csrf: first.token })) !== 303)
    throw new Error(`${username}: enrolment did not start`);
  const page = await tokenOf('/account/second-factor');
  const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)?.[1]?.replace(/ /g, '');
  if (!secret) throw new Error(`${username}: no secret on the enrolment page`);
  const confirmed = await post('/account/second-factor/confirm', {
    _csrf: page.token,
    code: totpAt(secret, new Date()),
  });
  if (confirmed !== 200) throw new Error(`${username}: enrolment confirm answered ${confirmed}`);
  return { cookie, csrf: (await tokenOf('/dashboard')).token };
}

/** Makes up to `count` proposals waiting for approval, and one approval job for each. */
export async function prepareApprovals(
  set: BenchSet,
  app: Server,
  uploadDir: string,
  count: number,
): Promise<ApprovalJob[]> {
  const db = set.db;
  useAuditKey(BENCH_AUDIT_KEY); // the services below extend the set's audit chain, keyed as the app keys it
  const chosen = await candidates(db, count);
  const users = new Map<string, SessionUser>();
  const userOf = async (where: Record<string, unknown>) => {
    const key = JSON.stringify(where);
    if (!users.has(key))
      users.set(
        key,
        sessionUser(
          await db('users')
            .where(where)
            .whereNull('disabled_at')
            .orderBy('id')
            .first('id', 'username', 'role', 'street_office_id', 'organization_id'),
        ),
      );
    return users.get(key)!;
  };
  for (const c of chosen) {
    await userOf({ role: 'manager', street_office_id: c.street_office_id });
    await userOf({ role: 'org_staff', organization_id: c.organization_id });
  }
  const at = new Date().toISOString();
  // The closed evaluations, as closeEvaluation leaves them (one assessor, above the pass score).
  await db.transaction(async (trx) => {
    for (const c of chosen) {
      const manager = await userOf({ role: 'manager', street_office_id: c.street_office_id });
      const staff = await userOf({ role: 'org_staff', organization_id: c.organization_id });
      const score = c.pass_score * 100 + 1000 + (c.contract_id % 2000);
      const [report] = await trx('milestone_reports')
        .insert({
          contract_id: c.contract_id,
          milestone_seq: c.seq,
          organization_id: c.organization_id,
          street_office_id: c.street_office_id,
          version: 1,
          status: 'submitted',
          delivered_json: '[]',
          people_served: 30,
          sessions_held: 6,
          self_comment: '按计划完成本阶段服务',
          self_score: score,
          created_by: staff.id,
          created_at: at,
          updated_at: at,
          submitted_by: staff.id,
          submitted_at: at,
        })
        .returning('id');
      await trx('milestone_evaluations').insert({
        contract_id: c.contract_id,
        milestone_seq: c.seq,
        street_office_id: c.street_office_id,
        organization_id: c.organization_id,
        report_id: Number(typeof report === 'object' ? report.id : report),
        status: 'closed',
        opened_at: at,
        manager_score: score,
        manager_comment: '服务扎实',
        manager_scored_by: manager.id,
        manager_scored_at: at,
        self_score: score,
        total_score: score,
        grade: gradeOf(score),
        stars: starsOf(score),
        pass_score: c.pass_score,
        passed: true,
        weights_json: JSON.stringify({
          used: [{ source: 'manager', score, weight: 100, usedWeight: 10000 }],
          missing: [],
          citizenRatings: 0,
        }),
        closed_by: manager.id,
        closed_at: at,
      });
    }
  });
  // The invoice and the proposal through the service, as the pages would call it.
  const deps = { db, clock: systemClock, config: { uploadDir } as AppDeps['config'] };
  const pdf = minimalPdf();
  const file = {
    fieldname: 'file',
    originalname: '发票.pdf',
    encoding: '7bit',
    mimetype: 'application/pdf',
    size: pdf.length,
    buffer: pdf,
  } as Express.Multer.File;
  const proposals: { id: number; streetOfficeId: number }[] = [];
  for (const c of chosen) {
    const manager = await userOf({ role: 'manager', street_office_id: c.street_office_id });
    const staff = await userOf({ role: 'org_staff', organization_id: c.organization_id });
    await uploadInvoice(deps, actorOf(staff), staff, c.contract_id, c.seq, file, 'invoice', c.amount_fen);
    proposals.push({
      id: await proposePayment(deps, actorOf(manager), manager, c.contract_id, c.seq, {}),
      streetOfficeId: c.street_office_id,
    });
  }
  const sessions = new Map<number, { cookie: string; csrf: string }>();
  for (const s of new Set(proposals.map((p) => p.streetOfficeId))) {
    const approver = await userOf({ role: 'approver', street_office_id: s });
    sessions.set(s, await approverSession(app.base, approver.username));
  }
  return proposals.map((p) => {
    const { cookie, csrf } = sessions.get(p.streetOfficeId)!;
    return {
      proposalId: p.id,
      path: `/payments/proposals/${p.id}/approval`,
      cookie,
      body: new URLSearchParams({ _csrf: csrf, _once: crypto.randomUUID() }).toString(),
    };
  });
}

/** The ledger proof of `npm run funds:reconcile` (reconcile, negativeHoldings, paymentInvariants): its problems and its time. */
export async function ledgerProof(db: Knex): Promise<{ ms: number; problems: number; entries: number }> {
  const started = performance.now();
  const [differences, negatives, problems] = await Promise.all([
    reconcile(db),
    negativeHoldings(db),
    paymentInvariants(db),
  ]);
  const ms = performance.now() - started;
  const [{ n }] = await db('fund_entries').count({ n: '*' });
  return { ms, problems: differences.length + negatives.length + problems.length, entries: Number(n) };
}

/** What the approvals released, checked per proposal: approved ⇔ exactly one release of its amount, its milestone paid, its sources in the ledger. */
async function releasedOnce(db: Knex, ids: number[]): Promise<{ approved: number; wrong: string[] }> {
  const wrong: string[] = [];
  let approved = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows: Record<string, unknown>[] = await db('payment_proposals as p')
      .leftJoin('payments as y', 'y.proposal_id', 'p.id')
      .leftJoin('contract_milestones as m', 'm.id', 'p.milestone_id')
      .whereIn('p.id', chunk)
      .groupBy('p.id', 'p.status', 'p.amount_fen', 'm.settlement')
      .select(
        'p.id',
        'p.status',
        'p.amount_fen',
        'm.settlement',
        db.raw('COUNT(y.id) AS payments'),
        db.raw('MAX(y.amount_fen) AS paid'),
        db.raw('MAX(y.id) AS payment_id'),
      );
    for (const r of rows) {
      if (r.status !== 'approved') {
        if (Number(r.payments) !== 0 || r.settlement !== null)
          wrong.push(`proposal ${r.id}: ${r.status} but ${r.payments} payments, milestone ${r.settlement}`);
        continue;
      }
      approved++;
      if (Number(r.payments) !== 1 || Number(r.paid) !== Number(r.amount_fen) || r.settlement !== 'paid')
        wrong.push(
          `proposal ${r.id}: ${r.payments} payments of ${r.paid} (proposed ${r.amount_fen}), milestone ${r.settlement}`,
        );
      const [{ s, n }] = await db('payment_sources as s')
        .join('fund_entries as e', 'e.id', 's.ledger_entry_id')
        .where('s.payment_id', Number(r.payment_id))
        .where('e.kind', 'payment')
        .select(db.raw('COALESCE(SUM(e.amount_fen), 0) AS s'), db.raw('COUNT(*) AS n'));
      if (Number(s) !== Number(r.amount_fen) || Number(n) === 0)
        wrong.push(`payment ${r.payment_id}: ledger ${s} in ${n} entries, amount ${r.amount_fen}`);
    }
  }
  return { approved, wrong };
}

export interface ApprovalFigures extends WriteFigures {
  proposals: number;
  released: number;
  /** Problems found afterwards: a proposal released twice or not as proposed, or the ledger proof's findings. */
  problems: string[];
  proof: { ms: number; problems: number; entries: number };
}

export async function measureApprovals(
  set: BenchSet,
  app: Server,
  uploadDir: string,
  database: string,
  duration: number,
  count: number,
): Promise<ApprovalFigures> {
  const prepStarted = performance.now();
  const jobs = await prepareApprovals(set, app, uploadDir, count);
  console.error(
    `  approvals on ${database}: ${jobs.length} proposals waiting (made in ${((performance.now() - prepStarted) / 1000).toFixed(1)} s)`,
  );
  const paymentsBefore = Number((await set.db('payments').count({ n: '*' }))[0].n);
  let next = 0;
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const instance = autocannon({
    url: app.base,
    connections: 4,
    duration,
    // Each proposal once (amount), however long that takes; an answer may take long under load, and a
    // request given up by the client while the server commits it would count as a payment not answered.
    timeout: 60,
    amount: jobs.length,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const job = jobs[next++ % jobs.length];
          return {
            ...req,
            method: 'POST',
            path: job.path,
            headers: { cookie: job.cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: job.body,
          };
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number) => (status === 303 ? ok++ : failed++));
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  const added = Number((await set.db('payments').count({ n: '*' }))[0].n) - paymentsBefore;
  const checked = await releasedOnce(
    set.db,
    jobs.map((j) => j.proposalId),
  );
  const problems = [...checked.wrong];
  if (checked.approved !== added) problems.push(`${checked.approved} proposals approved but ${added} payments added`);
  if (ok !== added)
    problems.push(
      `${ok} answered 303 but ${added} payments added (${result.timeouts} requests timed out at the client, ${failed} other answers)`,
    );
  const proof = await ledgerProof(set.db);
  if (proof.problems) problems.push(`funds:reconcile finds ${proof.problems} problems`);
  // The audit chain over the approvals' events too, where that is quick (the full set's 1.1 million events take minutes).
  const [{ n: events }] = await set.db('audit_events').count({ n: '*' });
  if (Number(events) <= 200_000) {
    const verified = await verifyAll(set.db);
    if (!verified.ok)
      problems.push(`the audit chain does not verify after the approvals (${verified.main.count} events)`);
  }
  return {
    kind: 'payment approvals',
    database,
    connections: 4,
    perSecond: seconds ? added / seconds : 0,
    ok,
    failed,
    p50: result.latency.p50,
    proposals: jobs.length,
    released: added,
    problems,
    proof,
  };
}
