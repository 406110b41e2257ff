import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, type TestDb } from '../helpers/db';

/**
 * Every table belongs to one module, as its README says on its `**Tables owned:**` line; another
 * module reads it through the owner's index.ts. A lint rule cannot see a table named in a string
 * (`trx('catalog_items')`, `JOIN bids b` in raw SQL), so this test reads every module's source for
 * them. Where a cross-module JOIN in SQL is the right design (a report, a work queue, a public page
 * computed in one query), the file and the table are allowed below, read-only, with the reason.
 */
const root = path.join(__dirname, '..', '..');
const MODULES_DIR = path.join(root, 'src', 'modules');

type Allowed = { file: string; tables: string[]; why: string };

const NAMES =
  'read-only: joins the names shown beside the rows (organization, street office, user, call) in the same query, so that a page costs a fixed number of queries';
const READ_MODEL =
  'read-only: a read model across the chain (report, work queue, audit sentence, public page, ranking) computed in SQL, one query per page instead of one per row';
const IN_TX =
  "read-only: reads the other module's rows that this write depends on, inside the same transaction; an index.ts reader is the next step";
const SESSION =
  "read-only: the signed-in user's street offices (the whole district for an auditor with a district scope), read on every request";
const SEALED =
  'read-only: the sealed-bid filter and the street scope of audit events are one SQL condition over calls and bids (see audit-trail/README.md)';
const RECIPIENTS = 'read-only: the active staff or managers to notify, read in the transaction that notifies them';
const POLICY = "read-only: whether a reviewer on the call's panel, without a declared conflict, may read the bid";
const DOCUMENT = 'read-only: the fields printed on the contract PDF, gathered in one query';
const LEDGER =
  "read-only: attributes old commitments to their award's items in rank order (funds/README.md, old confirmed awards)";
const INVARIANTS =
  'read-only: the money invariants and the reconciliation are checked across the ledger, the milestones and the contract versions in SQL';
const SETTLES =
  "payments settles a contract's milestone in the approval's transaction (payments/README.md), and reads the contract, its version, the evaluation and the approver there";
const REVIEW =
  "the review columns of calls (bids_opened_at, scoring_closed_at) are the review's (reviews/README.md); it reads the submitted bids and the reviewers in its own transaction";
const STAFF_WRITE =
  'disables a colleague (users.disabled_at) in the staff transaction; known write to be moved behind accounts/index.ts (disableUser) once the concurrent staff-page work has landed';
/** Reviewed cross-module reads. Each names a file (relative to src/modules) and the tables it may
 *  name although another module owns them, and why. Reads only, but for the three writes named as such
 *  (a module's own columns on another's table, a settlement, and one write still to move). A new
 *  file or a new table in a listed file is not covered: it fails until it reads through index.ts
 *  or is reviewed and added here. */
export const ALLOWED: Allowed[] = [
  { file: 'accounts/queries.ts', tables: ['organizations', 'street_offices'], why: SESSION },
  { file: 'accounts/service.ts', tables: ['organizations', 'street_offices'], why: IN_TX },
  {
    file: 'audit-trail/describe.ts',
    tables: [
      'audit_findings',
      'awards',
      'bids',
      'calls',
      'catalog_items',
      'contracts',
      'evaluation_reviews',
      'fund_entries',
      'milestone_evaluations',
      'milestone_reports',
      'objections',
      'organizations',
      'street_offices',
      'users',
    ],
    why: READ_MODEL,
  },
  {
    file: 'audit-trail/events.ts',
    tables: ['users'],
    why: "read-only: the user filter (username to id) and the names of the users in an event's before/after",
  },
  { file: 'audit-trail/queries.ts', tables: ['bids', 'calls', 'street_offices'], why: SEALED },
  {
    file: 'awards/queries.ts',
    tables: ['bids', 'call_reviewers', 'calls', 'organizations', 'street_offices', 'users'],
    why: NAMES,
  },
  { file: 'awards/service/confirmation.ts', tables: ['users'], why: RECIPIENTS },
  { file: 'bids/exclusions.ts', tables: ['organizations', 'users'], why: NAMES },
  { file: 'bids/panel.ts', tables: ['organizations'], why: NAMES },
  { file: 'bids/policy.ts', tables: ['call_reviewers', 'conflict_declarations'], why: POLICY },
  { file: 'bids/queries.ts', tables: ['calls', 'organizations', 'street_offices'], why: NAMES },
  { file: 'bids/service/common.ts', tables: ['organizations'], why: IN_TX },
  { file: 'calls/queries.ts', tables: ['catalog_items', 'street_offices', 'users'], why: NAMES },
  { file: 'catalog/queries.ts', tables: ['street_offices'], why: NAMES },
  { file: 'contracts/handlers/pages.ts', tables: ['organizations'], why: NAMES },
  { file: 'contracts/pdf-input.ts', tables: ['calls', 'catalog_items', 'users'], why: DOCUMENT },
  {
    file: 'contracts/public.ts',
    tables: ['calls', 'catalog_items', 'organizations', 'street_offices'],
    why: READ_MODEL,
  },
  {
    file: 'contracts/queries.ts',
    tables: ['award_items', 'awards', 'bids', 'calls', 'catalog_items', 'organizations', 'street_offices', 'users'],
    why: NAMES,
  },
  { file: 'contracts/service/amendments.ts', tables: ['calls'], why: IN_TX },
  {
    file: 'contracts/service/drafting.ts',
    tables: ['award_items', 'awards', 'bids', 'calls', 'organizations', 'street_offices'],
    why: IN_TX,
  },
  { file: 'dashboard/queries.ts', tables: ['organizations', 'street_offices', 'users'], why: NAMES },
  {
    file: 'dashboard/queues.ts',
    tables: [
      'award_items',
      'awards',
      'bids',
      'call_reviewers',
      'calls',
      'contracts',
      'objections',
      'organization_documents',
      'organizations',
    ],
    why: READ_MODEL,
  },
  {
    file: 'disclosure/ocds/data.ts',
    tables: [
      'award_items',
      'call_criteria',
      'call_fund_sources',
      'calls',
      'catalog_items',
      'organizations',
      'street_offices',
    ],
    why: READ_MODEL,
  },
  { file: 'disclosure/queries.ts', tables: ['street_offices'], why: NAMES },
  { file: 'evaluations/assessors.ts', tables: ['organizations', 'users'], why: IN_TX },
  { file: 'evaluations/dashboard.ts', tables: ['contract_milestones', 'contracts', 'organizations'], why: READ_MODEL },
  { file: 'evaluations/evaluation.ts', tables: ['organizations'], why: IN_TX },
  { file: 'evaluations/results.ts', tables: ['contract_milestones'], why: IN_TX },
  { file: 'evaluations/handlers.ts', tables: ['organizations', 'users'], why: NAMES },
  { file: 'evaluations/indicators.ts', tables: ['call_criteria', 'contracts'], why: IN_TX },
  { file: 'evaluations/queries.ts', tables: ['users'], why: NAMES },
  { file: 'evaluations/ratings.ts', tables: ['calls', 'contracts'], why: IN_TX },
  { file: 'evaluations/review.ts', tables: ['calls', 'contracts', 'users'], why: IN_TX },
  { file: 'funds/holdings.ts', tables: ['award_items', 'awards'], why: LEDGER },
  {
    file: 'funds/queries.ts',
    tables: ['calls', 'street_offices', 'users', 'contracts', 'award_items', 'bids', 'organizations'],
    why: NAMES,
  },
  { file: 'notifications/service.ts', tables: ['users'], why: RECIPIENTS },
  { file: 'organizations/staff-service.ts', tables: ['users'], why: STAFF_WRITE },
  {
    file: 'payments/dashboard.ts',
    tables: ['contract_milestones', 'contracts', 'evaluation_reviews', 'milestone_evaluations', 'organizations'],
    why: READ_MODEL,
  },
  { file: 'payments/handlers/milestone.ts', tables: ['contracts'], why: NAMES },
  {
    file: 'payments/handlers/payments.ts',
    tables: ['contract_milestones', 'contracts', 'milestone_evaluations', 'organizations', 'users'],
    why: NAMES,
  },
  {
    file: 'payments/handlers/proposals.ts',
    tables: ['contract_milestones', 'contracts', 'organizations', 'users'],
    why: NAMES,
  },
  {
    file: 'payments/invariants.ts',
    tables: ['contract_milestones', 'contract_versions', 'fund_entries'],
    why: INVARIANTS,
  },
  {
    file: 'payments/queries.ts',
    tables: ['contract_milestones', 'contracts', 'fund_entries', 'organizations', 'users'],
    why: NAMES,
  },
  { file: 'payments/reconcile-cli.ts', tables: ['fund_entries'], why: INVARIANTS },
  { file: 'payments/service/common.ts', tables: ['contract_versions', 'contracts', 'users'], why: SETTLES },
  { file: 'payments/service/decisions.ts', tables: ['contract_milestones'], why: SETTLES },
  { file: 'payments/service/proposals.ts', tables: ['contract_milestones', 'milestone_evaluations'], why: SETTLES },
  { file: 'payments/service/records.ts', tables: ['contracts'], why: SETTLES },
  { file: 'payments/service/reversals.ts', tables: ['contracts'], why: SETTLES },
  { file: 'payments/service/returns.ts', tables: ['contracts'], why: SETTLES },
  {
    file: 'reports/dossier.ts',
    tables: [
      'contract_milestones',
      'contract_versions',
      'contracts',
      'milestone_evaluations',
      'milestone_reports',
      'organizations',
      'payment_proposals',
      'payments',
      'street_offices',
    ],
    why: READ_MODEL,
  },
  { file: 'reports/finding-handlers.ts', tables: ['street_offices'], why: NAMES },
  { file: 'reports/findings.ts', tables: ['contracts', 'payments', 'street_offices', 'users'], why: IN_TX },
  { file: 'reports/handlers.ts', tables: ['street_offices'], why: NAMES },
  { file: 'reports/journal.ts', tables: ['street_offices'], why: READ_MODEL },
  { file: 'reports/policy.ts', tables: ['street_offices'], why: SESSION },
  {
    file: 'reports/queries.ts',
    tables: [
      'award_items',
      'bids',
      'calls',
      'catalog_items',
      'contract_milestones',
      'contract_versions',
      'contracts',
      'fund_accounts',
      'fund_entries',
      'milestone_evaluations',
      'organizations',
      'street_offices',
    ],
    why: READ_MODEL,
  },
  {
    file: 'reviews/queries.ts',
    tables: ['bids', 'call_criteria', 'calls', 'organizations', 'street_offices', 'users'],
    why: NAMES,
  },
  { file: 'reviews/ranking.ts', tables: ['bids', 'call_criteria', 'organizations', 'users'], why: READ_MODEL },
  { file: 'reviews/service/closing.ts', tables: ['calls'], why: REVIEW },
  { file: 'reviews/service/common.ts', tables: ['calls'], why: REVIEW },
  { file: 'reviews/service/panel.ts', tables: ['bids', 'users'], why: REVIEW },
];

export interface Violation {
  file: string;
  table: string;
  owner: string;
}

/** Table -> owning module, from the README lines. */
export function ownersFromReadmes(modulesDir = MODULES_DIR): Map<string, string> {
  const owners = new Map<string, string>();
  for (const m of modules(modulesDir)) {
    const readme = path.join(modulesDir, m, 'README.md');
    if (!fs.existsSync(readme)) continue;
    const line = fs
      .readFileSync(readme, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('**Tables owned:**'));
    for (const [, table] of (line ?? '').matchAll(/`([a-z_]+)`/g)) {
      if (owners.has(table) && owners.get(table) !== m)
        throw new Error(`${table} is claimed by both ${owners.get(table)} and ${m}`);
      owners.set(table, m);
    }
  }
  return owners;
}

function modules(modulesDir: string): string[] {
  return fs.readdirSync(modulesDir).filter((n) => fs.statSync(path.join(modulesDir, n)).isDirectory());
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** The source without comments (a comment may say "reads from bids" without reading it). */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[\s;{}(),])\/\/.*$/gm, '$1');
}

/** The tables a file names: a query builder called on a table (`db('bids')`, `trx('bids as b')`,
 *  `.join('bids as b', …)`, `.from('bids')`), or a table after FROM, JOIN, INTO or UPDATE in SQL text. */
export function tablesNamedIn(code: string, tables: Set<string>): Set<string> {
  const found = new Set<string>();
  const text = withoutComments(code);
  const builder =
    /\b(?:db|trx|tx|q|sp|knex|join|leftJoin|rightJoin|innerJoin|fullOuterJoin|from|into|table)\(\s*['"`]([a-z_]+)(?:\s+as\s+[a-z_]+)?['"`]/gi;
  for (const [, name] of text.matchAll(builder)) if (tables.has(name)) found.add(name);
  for (const [, name] of text.matchAll(/\b(?:from|join|into|update)\s+"?([a-z_]+)"?/gi))
    if (tables.has(name)) found.add(name);
  return found;
}

/** Every file of a module that names a table another module owns, minus the allowed ones. */
export function violations(owners: Map<string, string>, allowed: Allowed[], modulesDir = MODULES_DIR): Violation[] {
  const tables = new Set(owners.keys());
  const out: Violation[] = [];
  for (const m of modules(modulesDir)) {
    for (const full of sourceFiles(path.join(modulesDir, m))) {
      const file = path.relative(modulesDir, full).split(path.sep).join('/');
      const ok = new Set(allowed.filter((a) => a.file === file).flatMap((a) => a.tables));
      for (const table of tablesNamedIn(fs.readFileSync(full, 'utf8'), tables)) {
        const owner = owners.get(table)!;
        if (owner !== m && !ok.has(table)) out.push({ file, table, owner });
      }
    }
  }
  return out;
}

describe('table ownership', () => {
  const owners = ownersFromReadmes();

  it('no module names a table another module owns, except the reviewed reads', () => {
    const found = violations(owners, ALLOWED).map(
      (v) =>
        `${v.file} names ${v.table} (owned by ${v.owner}): read it through ../${v.owner}/index.ts, or allow it in ALLOWED with the reason`,
    );
    expect(found).toEqual([]);
  });

  it('every allowed read is still needed and names a table of another module', () => {
    const stale: string[] = [];
    for (const a of ALLOWED) {
      const full = path.join(MODULES_DIR, a.file);
      if (!fs.existsSync(full)) {
        stale.push(`${a.file}: no such file`);
        continue;
      }
      const named = tablesNamedIn(fs.readFileSync(full, 'utf8'), new Set(owners.keys()));
      for (const t of a.tables) {
        if (!owners.has(t)) stale.push(`${a.file}: ${t} is no module's table`);
        else if (owners.get(t) === a.file.split('/')[0]) stale.push(`${a.file}: ${t} is its own module's`);
        else if (!named.has(t)) stale.push(`${a.file}: no longer names ${t}`);
      }
      expect(a.why.length).toBeGreaterThan(10);
    }
    expect(stale).toEqual([]);
  });

  it('finds a planted violation in a string and in SQL, and not in a comment or an i18n key', () => {
    const tables = new Set(owners.keys());
    expect([...tablesNamedIn("await trx('catalog_items').where({ id })", tables)]).toEqual(['catalog_items']);
    expect(
      [...tablesNamedIn("db('bids as b').join('organizations as o', 'o.id', 'b.organization_id')", tables)].sort(),
    ).toEqual(['bids', 'organizations']);
    expect(
      [
        ...tablesNamedIn(
          'db.raw(`SELECT count(*) FROM award_items ai JOIN contracts c ON c.award_item_id = ai.id`)',
          tables,
        ),
      ].sort(),
    ).toEqual(['award_items', 'contracts']);
    expect([
      ...tablesNamedIn(
        "// reads from bids\n/* join calls */ req.t('calls.errors.notYours'); res.render('bids/form'); r.page('payments'); x === 'contracts'",
        tables,
      ),
    ]).toEqual([]);
  });

  it("fails on a module file that reads another module's table", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-planted-'));
    try {
      for (const [m, readme, code] of [
        ['alpha', '**Tables owned:** `alpha_rows`.', "export const q = (db: any) => db('alpha_rows');"],
        [
          'beta',
          '**Tables owned:** `beta_rows`.',
          "export const sneak = (db: any) => db('alpha_rows').select('id');\nexport const own = (db: any) => db('beta_rows');",
        ],
      ]) {
        fs.mkdirSync(path.join(dir, m));
        fs.writeFileSync(path.join(dir, m, 'README.md'), `# ${m}\n\n${readme}\n`);
        fs.writeFileSync(path.join(dir, m, 'queries.ts'), code);
      }
      const planted = ownersFromReadmes(dir);
      expect(violations(planted, [], dir)).toEqual([{ file: 'beta/queries.ts', table: 'alpha_rows', owner: 'alpha' }]);
      expect(
        violations(
          planted,
          [{ file: 'beta/queries.ts', tables: ['alpha_rows'], why: 'a reviewed read-only join' }],
          dir,
        ),
      ).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('against the schema', () => {
    let t: TestDb;
    jest.setTimeout(60_000);
    beforeAll(async () => {
      t = await createTestDb();
    });
    afterAll(async () => {
      await t.destroy();
    });

    it('every table a README claims exists', async () => {
      const rows: { name: string }[] =
        t.dialect === 'sqlite'
          ? await t.db('sqlite_master').where({ type: 'table' }).select('name')
          : await t.db('information_schema.tables').where({ table_schema: 'public' }).select('table_name as name');
      const existing = new Set(rows.map((r) => r.name));
      expect([...owners.keys()].filter((table) => !existing.has(table))).toEqual([]);
    });
  });
});
