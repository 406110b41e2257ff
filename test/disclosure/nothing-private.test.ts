import request from 'supertest';
import { systemActor } from '../../src/audit/audit';
import { saveDraft } from '../../src/modules/contracts/service/drafting';
import { termsOf, versionInForce } from '../../src/modules/contracts/queries';
import { mf, termsToValues } from '../../src/modules/contracts/terms';
import { fenToInput } from '../../src/shared/money';
import { createTestContext, type TestContext } from '../helpers/app';
import { readyCall } from '../awards/factory';
import { draftContract } from '../contracts/factory';
import { walkedChain } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

// Each secret is unique text that must never reach a public page or package.
const MOBILE = '13912345678';
const ID_NUMBER = '110105199001011234';
const ADDRESS = '幸福小区七栋三单元九零二室';
const CITIZEN_COMMENT = '市民留言：楼下王阿姨家的情况';
const REVIEWER_COMMENT = '评审专家私下意见甲乙丙';
const REVIEWER_SCORE_NOTE = '专家个人打分说明丁戊己';
const DRAFT_PLAN = '草稿合同里的服务方案庚辛壬';
const SEALED_PLAN = '截止前投标的服务方案癸子丑';
const OBJECTION_FILE = '质疑附件寅卯辰.pdf';
const OBJECTION_REASONS = '质疑理由中的个人电话';

it("no public page and no OCDS package shows a phone or ID number, a personal address, a comment, a reviewer's score, a draft, a sealed bid or an objection's attachment", async () => {
  // A walked chain whose free text and parties carry personal data.
  const c = await walkedChain(ctx);
  const v = await versionInForce(ctx.db, c.contractId);
  expect(v).toBeTruthy();
  await ctx
    .db('contract_versions')
    .where({ id: v!.id })
    .update({ service_plan: `社区服务，联系 ${MOBILE}，负责人身份证 ${ID_NUMBER}` });
  await ctx
    .db('contract_milestones')
    .where({ contract_id: c.contractId, seq: 2 })
    .update({ deliverables: `报告，联系 ${MOBILE}` });
  await ctx
    .db('organizations')
    .where({ id: c.contract.organization_id })
    .update({ contact_person: ADDRESS, contact_phone: MOBILE, legal_representative: `法人 ${ID_NUMBER}` });
  await ctx.db('street_offices').where({ id: c.call.streetOfficeId }).update({ address: ADDRESS });
  const partyB = JSON.parse(c.contract.party_b_json);
  await ctx
    .db('contracts')
    .where({ id: c.contractId })
    .update({
      party_b_json: JSON.stringify({
        ...partyB,
        address: ADDRESS,
        contactPhone: MOBILE,
        legalRepresentative: ID_NUMBER,
      }),
    });
  // Evaluations: a citizen's and a reviewer's comment; reviewers' individual scores with notes.
  await ctx
    .db('milestone_evaluations')
    .where({ contract_id: c.contractId })
    .update({ manager_comment: REVIEWER_COMMENT });
  await ctx.db('milestone_reports').where({ contract_id: c.contractId }).update({ self_comment: CITIZEN_COMMENT });
  if (await ctx.db.schema.hasTable('citizen_ratings')) {
    const cols = await ctx.db('citizen_ratings').columnInfo();
    if ('comment' in cols) await ctx.db('citizen_ratings').update({ comment: CITIZEN_COMMENT });
  }
  await ctx
    .db('review_scores')
    .whereIn(
      'bid_id',
      c.call.bids.map((b) => b.bidId),
    )
    .update({ comment: REVIEWER_SCORE_NOTE });
  // An objection with an attachment.
  const at = ctx.clock.now().toISOString();
  const [objection] = await ctx
    .db('objections')
    .insert({
      award_id: c.awardId,
      call_id: c.call.callId,
      organization_id: c.call.bids[1].organizationId,
      reasons: `${OBJECTION_REASONS} ${MOBILE}`,
      status: 'open',
      lodged_at: at,
    })
    .returning('id');
  const [file] = await ctx
    .db('stored_files')
    .insert({
      storage_key: `leak${Date.now()}`,
      original_name: OBJECTION_FILE,
      mime_type: 'application/pdf',
      size_bytes: 1,
      sha256: 'a'.repeat(64),
      created_at: at,
    })
    .returning('id');
  await ctx
    .db('objection_files')
    .insert({ objection_id: Number(objection.id ?? objection), file_id: Number(file.id ?? file), created_at: at });
  // A draft contract.
  const draft = await draftContract(ctx);
  const dv = await versionInForce(ctx.db, draft.contractId);
  await saveDraft(ctx, systemActor, draft.manager, draft.contractId, {
    ...termsToValues(termsOf(dv!), fenToInput),
    servicePlan: DRAFT_PLAN,
    [mf(1, 'title')]: DRAFT_PLAN,
  });
  const draftNumber = (await ctx.db('contracts').where({ id: draft.contractId }).first()).number;
  // A bid before the deadline.
  const sealed = await readyCall(ctx, {
    status: 'published',
    scoringClosed: false,
    bids: [{ priceFen: 777_777, scores: [] }],
  });
  await ctx
    .db('calls')
    .where({ id: sealed.callId })
    .update({ closes_at: new Date(ctx.clock.now().getTime() + 86400000).toISOString(), bids_opened_at: null });
  await ctx.db('bids').where({ id: sealed.bids[0].bidId }).update({ service_plan: SEALED_PLAN });
  const sealedOrg = await ctx.db('organizations').where({ id: sealed.bids[0].organizationId }).first();

  // Every public page and package the data can produce.
  const streets = (await ctx.db('street_offices').select('id')).map((s) => Number(s.id));
  const calls = (await ctx.db('calls').whereNot('status', 'draft').select('id')).map((k) => Number(k.id));
  const contracts = (await ctx.db('contracts').select('id')).map((k) => Number(k.id));
  const orgs = (await ctx.db('organizations').select('id')).map((k) => Number(k.id));
  const urls = [
    '/',
    '/public',
    '/public/contracts',
    '/public/contracts?year=2026',
    '/public/contracts.csv',
    '/public/payments.csv',
    '/awards',
    '/calls',
    '/registry',
    '/catalog',
    `/awards/${c.awardId}`,
    ...streets.flatMap((s) => [
      `/public/streets/${s}/2026`,
      `/public/streets/${s}/2026/charts/sources.svg`,
      `/public/streets/${s}/2026/charts/months.svg`,
      `/public/streets/${s}/2026/charts/categories.svg`,
      `/ocds/packages/${s}-2026.json`,
      `/public/contracts.csv?street=${s}`,
    ]),
    ...calls.flatMap((k) => [
      `/calls/${k}`,
      `/ocds/releases/ocds-sfdemo-call-${k}.json`,
      `/ocds/records/ocds-sfdemo-call-${k}.json`,
    ]),
    ...contracts.map((k) => `/public/contracts/${k}`),
    ...orgs.map((o) => `/registry/${o}`),
  ];
  const secrets = [
    MOBILE,
    ID_NUMBER,
    ADDRESS,
    CITIZEN_COMMENT,
    REVIEWER_COMMENT,
    REVIEWER_SCORE_NOTE,
    DRAFT_PLAN,
    SEALED_PLAN,
    OBJECTION_FILE,
    OBJECTION_REASONS,
    sealed.bids[0].bidRef,
    '7,777.77',
    '7777.77',
  ];
  let served = 0;
  for (const url of urls) {
    const res = await request(ctx.app)
      .get(url)
      .buffer(true)
      .parse((r, cb) => {
        let d = '';
        r.setEncoding('utf8');
        r.on('data', (x: string) => (d += x));
        r.on('end', () => cb(null, d));
      });
    expect([url, res.status < 500]).toEqual([url, true]);
    if (res.status !== 200) continue;
    served += 1;
    const body = String(res.body);
    for (const secret of secrets) expect([url, body.includes(secret) ? secret : '']).toEqual([url, '']);
    if (!url.startsWith('/calls')) expect([url, body.includes(draftNumber)]).toEqual([url, false]);
    // The sealed call's bidder appears nowhere in the open data (its registry page aside).
    if (url.startsWith('/ocds') || url.startsWith('/public'))
      expect([url, body.includes(sealedOrg.name)]).toEqual([url, false]);
  }
  expect(served).toBeGreaterThan(20);
});
