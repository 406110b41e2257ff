import request from 'supertest';
import { recordPackageErrors, releasePackageErrors } from '../../src/modules/disclosure/ocds/validate';
import { validateAllPackages } from '../../src/modules/disclosure/ocds/validate-all';
import { createTestContext, type TestContext } from '../helpers/app';
import { readyCall } from '../awards/factory';
import { walkedChain } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const ocid = (callId: number) => `ocds-sfdemo-call-${callId}`;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('OCDS packages of a call walked through the whole chain', () => {
  it('validate against the 1.1.5 release- and record-package schemas, with codelist values only, and carry each stage', async () => {
    const c = await walkedChain(ctx);
    const anon = request(ctx.app);
    const res = await anon.get(`/ocds/releases/${ocid(c.call.callId)}.json`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const pkg = JSON.parse(res.text) as Json;
    expect(releasePackageErrors(pkg)).toEqual([]);
    expect(pkg.extensions).toHaveLength(2);
    const tags = pkg.releases.map((r: Json) => r.tag.join('+'));
    expect(tags).toEqual(
      expect.arrayContaining(['planning+tender', 'award', 'awardUpdate', 'contract', 'implementation']),
    );
    const ids = pkg.releases.map((r: Json) => r.id);
    expect(new Set(ids).size).toBe(ids.length);

    const tender = pkg.releases.find((r: Json) => r.tag.includes('tender'));
    expect(tender.planning.budget.budgetBreakdown).toEqual([
      expect.objectContaining({ id: 'fiscal', description: '财政资金', amount: { amount: 200000, currency: 'CNY' } }),
    ]);
    expect(tender.tender).toMatchObject({
      procurementMethod: 'open',
      procurementMethodDetails: expect.stringContaining('合同外包'),
      numberOfTenderers: 2,
      awardCriteria: 'ratedCriteria',
    });

    const rec = await anon.get(`/ocds/records/${ocid(c.call.callId)}.json`);
    expect(rec.status).toBe(200);
    const record = JSON.parse(rec.text) as Json;
    expect(recordPackageErrors(record)).toEqual([]);
    const compiled = record.records[0].compiledRelease;
    const supplier = compiled.parties.find((p: Json) => p.roles.includes('supplier'));
    expect(supplier.identifier.scheme).toBe('CN-USCC');
    expect(compiled.parties.find((p: Json) => p.roles.includes('buyer'))).toBeTruthy();
    expect(compiled.awards[0]).toMatchObject({
      status: 'active',
      value: { amount: 100000.01, currency: 'CNY' },
      suppliers: [{ id: supplier.id }],
    });
    const contract = compiled.contracts[0];
    expect(contract).toMatchObject({ status: 'active', awardID: compiled.awards[0].id, value: { amount: 100000.01 } });
    expect(contract.documents.map((d: Json) => d.url)).toEqual(
      expect.arrayContaining([expect.stringContaining(`/public/contracts/${c.contractId}/contract.pdf`)]),
    );
    const [payment, midPayment] = contract.implementation.transactions;
    expect(payment).toMatchObject({
      value: { amount: c.advanceFen / 100, currency: 'CNY' },
      payer: { id: compiled.buyer.id },
      payee: { id: supplier.id },
      relatedImplementationMilestone: { id: `milestone-${c.contractId}-1` },
    });
    expect(midPayment).toMatchObject({
      value: { amount: c.midFen / 100 },
      relatedImplementationMilestone: { id: `milestone-${c.contractId}-2` },
    });
    const midterm = contract.implementation.milestones.find((m: Json) => m.id.endsWith('-2'));
    expect(midterm).toMatchObject({ status: 'met', description: expect.stringMatching(/评估得分 \d+\.\d{2}，/) });
    // Reviewers' comments never leave the evaluation.
    expect(rec.text).not.toContain('台账基本齐全');
    expect(res.text).not.toContain('台账基本齐全');
  });

  it('the bulk package of the street office and year streams every release of its calls and validates', async () => {
    const c = await walkedChain(ctx);
    const res = await request(ctx.app).get(`/ocds/packages/${c.call.streetOfficeId}-2026.json`);
    expect(res.status).toBe(200);
    const pkg = JSON.parse(res.text) as Json;
    expect(releasePackageErrors(pkg)).toEqual([]);
    expect(new Set(pkg.releases.map((r: Json) => r.ocid))).toEqual(new Set([ocid(c.call.callId)]));
  });

  it('carry an ETag: a second read with If-None-Match is 304 until something changes', async () => {
    const c = await walkedChain(ctx);
    const url = `/ocds/releases/${ocid(c.call.callId)}.json`;
    const first = await request(ctx.app).get(url);
    expect(first.headers.etag).toBeTruthy();
    expect(first.headers['last-modified']).toBeTruthy();
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    expect((await request(ctx.app).get(url).set('If-None-Match', first.headers.etag)).status).toBe(304);
    await walkedChain(ctx); // audited changes elsewhere move the version
    expect((await request(ctx.app).get(url).set('If-None-Match', first.headers.etag)).status).toBe(200);
  });
});

describe('a call before its deadline', () => {
  it('shows no bid information: no number of tenderers, no award, no tenderer', async () => {
    const call = await readyCall(ctx, {
      status: 'published',
      scoringClosed: false,
      bids: [{ priceFen: 500_000, scores: [] }],
    });
    await ctx
      .db('calls')
      .where({ id: call.callId })
      .update({
        closes_at: new Date(ctx.clock.now().getTime() + 86400000).toISOString(),
        bids_opened_at: null,
        bids_opened_by: null,
      });
    const org = await ctx.db('organizations').where({ id: call.bids[0].organizationId }).first();
    const res = await request(ctx.app).get(`/ocds/releases/${ocid(call.callId)}.json`);
    expect(res.status).toBe(200);
    const pkg = JSON.parse(res.text) as Json;
    expect(releasePackageErrors(pkg)).toEqual([]);
    expect(pkg.releases).toHaveLength(1);
    expect(pkg.releases[0].tender.numberOfTenderers).toBeUndefined();
    expect(pkg.releases[0].awards).toBeUndefined();
    for (const secret of [org.name, org.credit_code, call.bids[0].bidRef, '5000.00', '5000'])
      expect(res.text).not.toContain(secret);
    const record = await request(ctx.app).get(`/ocds/records/${ocid(call.callId)}.json`);
    expect(recordPackageErrors(JSON.parse(record.text))).toEqual([]);
    expect(record.text).not.toContain('numberOfTenderers');
  });
});

describe('npm run ocds:validate', () => {
  it('validates every package the database can produce (what the command prints)', async () => {
    const report = await validateAllPackages(ctx.db, ctx.config.ocds, ctx.clock.now());
    expect(report.errors).toEqual([]);
    expect(report.packages).toBeGreaterThanOrEqual(5);
  });

  it('reports an invalid package with its name and the error', () => {
    expect(releasePackageErrors({ uri: 'not a uri', releases: [] }).length).toBeGreaterThan(0);
    expect(
      releasePackageErrors({
        uri: 'https://x.example/p.json',
        publisher: { name: 'x' },
        publishedDate: '2026-01-01T00:00:00Z',
        version: '1.1',
        releases: [
          {
            ocid: 'o',
            id: '1',
            date: '2026-01-01T00:00:00Z',
            tag: ['tender'],
            initiationType: 'tender',
            parties: [{ id: 'a', roles: ['boss'] }],
          },
        ],
      }),
    ).toEqual(['/releases/0/parties/0/roles: "boss" is not in partyRole']);
  });
});

describe('bad input', () => {
  it('answers a malformed ocid with 422, an unknown one with 404, in JSON with a clear message, never a 500', async () => {
    const bad = await request(ctx.app).get('/ocds/releases/not-an-ocid.json');
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.text).error).toContain('ocds-sfdemo-call-1');
    expect((await request(ctx.app).get('/ocds/releases/ocds-other1-call-1.json')).status).toBe(422);
    expect((await request(ctx.app).get('/ocds/records/ocds-sfdemo-call-99999999999.json')).status).toBe(422);
    const unknown = await request(ctx.app).get('/ocds/releases/ocds-sfdemo-call-999999.json');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).error).toBeTruthy();
    expect((await request(ctx.app).get('/ocds/packages/999999-2026.json')).status).toBe(404);
    expect((await request(ctx.app).get('/ocds/packages/1-1999.json')).status).toBe(422);
    expect((await request(ctx.app).get('/ocds/packages/whatever')).status).toBe(422);
  });

  it('gives a draft call no package', async () => {
    const call = await readyCall(ctx, { status: 'draft', bids: [] });
    await ctx.db('calls').where({ id: call.callId }).update({ published_at: null });
    expect((await request(ctx.app).get(`/ocds/releases/${ocid(call.callId)}.json`)).status).toBe(404);
    expect((await request(ctx.app).get(`/ocds/records/${ocid(call.callId)}.json`)).status).toBe(404);
  });
});
