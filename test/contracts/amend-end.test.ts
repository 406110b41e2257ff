import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, signIn, type Agent } from '../helpers/http';
import { signedContract, staffUser } from './factory';
import { holdingsOf } from '../../src/modules/funds';
import { streetYearBalances } from '../../src/modules/funds';
import { completeIfSettled } from '../../src/modules/contracts';
import { mf } from '../../src/modules/contracts/terms';
import { recordAllocation } from '../../src/modules/funds/allocations';
import { systemActor } from '../../src/audit/audit';
import { proposeAmendment } from '../../src/modules/contracts/service/amendments';
import { TermsProblems } from '../../src/modules/contracts/service/common';
import { fenToInput } from '../../src/shared/money';
import { termsToValues } from '../../src/modules/contracts/terms';
import { termsOf, versionInForce } from '../../src/modules/contracts/queries';
import { pdfInputOf } from '../../src/modules/contracts/pdf-input';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function post(agent: Agent, path: string, fields: Record<string, string> = {}) {
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/dashboard'), ...fields });
}

/** The current terms as a form body, with the amount and a reason per aspect. */
async function amendmentBody(contractId: number, edits: Record<string, string>): Promise<Record<string, string>> {
  const v = await versionInForce(ctx.db, contractId);
  const terms = termsOf(v!);
  return { ...termsToValues(terms, fenToInput), amount: fenToInput(terms.amountFen), ...edits };
}
const committed = async (awardItemId: number) =>
  (await holdingsOf(ctx.db, awardItemId)).reduce((s, h) => s + h.committedFen, 0);

describe('amendments', () => {
  it('raises the amount: proposed, accepted by the organization, a new version, the difference committed', async () => {
    const c = await signedContract(ctx, { spareFen: 1_000_000 });
    const manager = await signIn(ctx, c.call.manager.username);
    const staff = await signIn(ctx, c.call.bids[0].staff.username);
    expect(await committed(c.items[0].id)).toBe(10_000_001);
    // No reason: refused, form re-shown.
    const noReason = await post(
      manager,
      `/contracts/${c.contractId}/amendments`,
      await amendmentBody(c.contractId, { amount: '100500.01', [mf(3, 'share')]: '' }),
    );
    expect(noReason.status).toBe(422);
    const body = await amendmentBody(c.contractId, {
      amount: '100500.01',
      reason_amount: '服务人数增加',
      reason_milestones: '末期款相应增加',
    });
    const m3 = Number(body[mf(3, 'share')].replace('.', ''));
    body[mf(3, 'share')] = fenToInput(m3 + 50_000);
    const res = await post(manager, `/contracts/${c.contractId}/amendments`, body);
    expect(res.status).toBe(303);
    const proposed = await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'proposed' }).first();
    expect(proposed.version).toBe(2);
    expect(await committed(c.items[0].id)).toBe(10_000_001); // nothing moves before acceptance
    const page = await staff.get(`/contracts/${c.contractId}`);
    expect(page.text).toContain('服务人数增加');
    expect((await post(staff, `/contracts/${c.contractId}/amendments/${proposed.id}/acceptance`)).status).toBe(303);
    expect(await committed(c.items[0].id)).toBe(10_050_001);
    const versions = await ctx.db('contract_versions').where({ contract_id: c.contractId }).orderBy('version');
    expect(versions.map((v) => v.status)).toEqual(['superseded', 'current']);
    expect((await ctx.db('contracts').where({ id: c.contractId }).first()).current_version).toBe(2);
    expect((await manager.get(`/contracts/${c.contractId}`)).text).toContain('¥100,000.01 → ¥100,500.01');
    expect((await post(staff, `/contracts/${c.contractId}/amendments/${proposed.id}/acceptance`)).status).toBe(409);
  });

  it('refuses a raise the fund cannot cover already at the proposal: 422 on the amount, source and shortfall, typed values kept, nothing written', async () => {
    const c = await signedContract(ctx, { spareFen: 0 });
    const before = await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026);
    const manager = await signIn(ctx, c.call.manager.username);
    const available = before.bySource.fiscal.availableFen;
    const raise = available + 100;
    const body = await amendmentBody(c.contractId, {
      amount: fenToInput(10_000_001 + raise),
      reason_amount: '扩大服务范围',
      reason_milestones: '相应调整',
    });
    body[mf(3, 'share')] = fenToInput(Number(body[mf(3, 'share')].replace('.', '')) + raise);
    const res = await post(manager, `/contracts/${c.contractId}/amendments`, body);
    expect(res.status).toBe(422);
    expect(res.text).toContain('财政资金');
    expect(res.text).toContain('¥1.00');
    expect(res.text).toContain('扩大服务范围');
    expect(res.text).toContain(`value="${fenToInput(10_000_001 + raise)}"`);
    expect(await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'proposed' })).toHaveLength(0);
    expect(await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026)).toEqual(before);
  });

  it('checks the raise per source, as it will be split: one source short is refused even when the total would cover it', async () => {
    const c = await signedContract(ctx, {
      sources: { fiscal: 8_000_000, lottery: 4_000_000 },
      spareFen: 3_000_000,
      bids: [
        { priceFen: 12_000_000, scores: [[90, 90]] },
        { priceFen: 11_000_000, scores: [[70, 70]] },
      ],
    });
    const manager = await signIn(ctx, c.call.manager.username);
    // A raise of ¥30,000.00 splits 2:1 — ¥20,000.00 fiscal, ¥10,000.00 lottery. Leave lottery ¥9,999.00.
    const lottery = (await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026)).bySource.lottery.availableFen;
    await ctx
      .db('fund_accounts')
      .where({ street_office_id: c.call.streetOfficeId, year: 2026, source: 'lottery' })
      .update({ reserved_fen: ctx.db.raw('reserved_fen + ?', [lottery - 999_900]) });
    const balances = await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026);
    expect(balances.total.availableFen).toBeGreaterThan(3_000_000);
    const body = await amendmentBody(c.contractId, {
      amount: fenToInput(15_000_000),
      reason_amount: '扩大',
      reason_milestones: '相应调整',
    });
    body[mf(3, 'share')] = fenToInput(Number(body[mf(3, 'share')].replace('.', '')) + 3_000_000);
    const res = await post(manager, `/contracts/${c.contractId}/amendments`, body);
    expect(res.status).toBe(422);
    expect(res.text).toContain('福彩公益金可用资金不足，还差 ¥1.00');
    // ¥29,997.00 splits ¥19,998.00 / ¥9,999.00: the lottery part fits exactly.
    const fits = await amendmentBody(c.contractId, {
      amount: fenToInput(12_000_000 + 2_999_700),
      reason_amount: '扩大',
      reason_milestones: '相应调整',
    });
    fits[mf(3, 'share')] = fenToInput(Number(fits[mf(3, 'share')].replace('.', '')) + 2_999_700);
    expect((await post(manager, `/contracts/${c.contractId}/amendments`, fits)).status).toBe(303);
  });

  it('refuses at acceptance when the money went meanwhile: the contract page with the reason (422), the manager told, who may withdraw it', async () => {
    const c = await signedContract(ctx, { spareFen: 1_000_000 });
    const manager = await signIn(ctx, c.call.manager.username);
    const staff = await signIn(ctx, c.call.bids[0].staff.username);
    const body = await amendmentBody(c.contractId, {
      amount: fenToInput(10_000_001 + 500_000),
      reason_amount: '扩大',
      reason_milestones: '相应调整',
    });
    body[mf(3, 'share')] = fenToInput(Number(body[mf(3, 'share')].replace('.', '')) + 500_000);
    expect((await post(manager, `/contracts/${c.contractId}/amendments`, body)).status).toBe(303);
    const proposed = await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'proposed' }).first();
    // Another call reserves the spare money before the organization answers.
    const spare = (await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026)).bySource.fiscal.availableFen;
    await ctx
      .db('fund_accounts')
      .where({ street_office_id: c.call.streetOfficeId, year: 2026, source: 'fiscal' })
      .update({ reserved_fen: ctx.db.raw('reserved_fen + ?', [spare - 100]) });
    const before = await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026);
    const res = await post(staff, `/contracts/${c.contractId}/amendments/${proposed.id}/acceptance`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('error-summary');
    expect(res.text).toContain('财政资金可用资金不足');
    expect(res.text).toContain('已通知街道办');
    expect(await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026)).toEqual(before);
    expect((await ctx.db('contract_versions').where({ id: proposed.id }).first()).status).toBe('proposed');
    const told = await ctx.db('notifications').where({ user_id: c.call.manager.id, kind: 'contract.amend_uncovered' });
    expect(told).toHaveLength(1);
    // The organization may not withdraw; the manager may, once.
    expect((await post(staff, `/contracts/${c.contractId}/amendments/${proposed.id}/withdrawal`)).status).toBe(403);
    expect((await manager.get(`/contracts/${c.contractId}`)).text).toContain(`/amendments/${proposed.id}/withdrawal`);
    expect((await post(manager, `/contracts/${c.contractId}/amendments/${proposed.id}/withdrawal`)).status).toBe(303);
    expect((await ctx.db('contract_versions').where({ id: proposed.id }).first()).status).toBe('rejected');
    expect((await manager.get(`/contracts/${c.contractId}`)).text).toContain('变更已撤回');
    expect(
      await ctx
        .db('audit_events')
        .where({ subject_type: 'contract', subject_id: c.contractId, action: 'contract.amend.withdraw' }),
    ).toHaveLength(1);
    expect((await post(manager, `/contracts/${c.contractId}/amendments/${proposed.id}/withdrawal`)).status).toBe(409);
    expect(
      (await post(manager, `/contracts/${c.contractId}/amendments/${proposed.id}/withdrawal`, { _csrf: 'forged' }))
        .status,
    ).toBe(403);
    // A new proposal is possible again.
    expect((await manager.get(`/contracts/${c.contractId}/amendments/new`)).status).toBe(200);
  });

  it('keeps the funding sources in step with the amount: 120k → 160k → 150k, the sources sum to the amount each time (page, version, PDF input)', async () => {
    const c = await signedContract(ctx, {
      sources: { fiscal: 8_000_000, lottery: 4_000_000 },
      spareFen: 3_000_000,
      bids: [
        { priceFen: 12_000_000, scores: [[90, 90]] },
        { priceFen: 11_000_000, scores: [[70, 70]] },
      ],
    });
    const manager = await signIn(ctx, c.call.manager.username);
    const staff = await signIn(ctx, c.call.bids[0].staff.username);
    const sourcesNow = async () =>
      JSON.parse((await versionInForce(ctx.db, c.contractId))!.sources_json) as { source: string; amountFen: number }[];
    const sum = (xs: { amountFen: number }[]) => xs.reduce((a, x) => a + x.amountFen, 0);
    expect(sum(await sourcesNow())).toBe(12_000_000);
    for (const [target, expected] of [
      [
        16_000_000,
        [
          ['fiscal', 10_666_667],
          ['lottery', 5_333_333],
        ],
      ],
      [15_000_000, null],
    ] as const) {
      const v = await versionInForce(ctx.db, c.contractId);
      const diff = target - Number(v!.amount_fen);
      const body = await amendmentBody(c.contractId, {
        amount: fenToInput(target),
        reason_amount: '调整',
        reason_milestones: '调整',
      });
      body[mf(3, 'share')] = fenToInput(Number(body[mf(3, 'share')].replace('.', '')) + diff);
      const res = await post(manager, `/contracts/${c.contractId}/amendments`, body);
      expect(res.status).toBe(303);
      const proposed = await ctx
        .db('contract_versions')
        .where({ contract_id: c.contractId, status: 'proposed' })
        .first();
      expect((await post(staff, `/contracts/${c.contractId}/amendments/${proposed.id}/acceptance`)).status).toBe(303);
      const sources = await sourcesNow();
      expect(sum(sources)).toBe(target);
      const held = await holdingsOf(ctx.db, c.items[0].id);
      expect(sources).toEqual(held.map((h) => ({ source: h.source, amountFen: h.committedFen + h.paidFen })));
      if (expected) expect(sources.map((s) => [s.source, s.amountFen])).toEqual(expected);
      const contractRow = await ctx.db('contracts').where({ id: c.contractId }).first();
      const pdf = await pdfInputOf(ctx.db, contractRow, (await versionInForce(ctx.db, c.contractId))!, ctx.clock.now());
      expect(sum(pdf.sources)).toBe(target);
      const page = await manager.get(`/contracts/${c.contractId}`);
      for (const s of sources)
        expect(page.text).toContain(fenToInput(s.amountFen).replace(/\B(?=(\d{3})+(?!\d))/g, ','));
    }
  });

  it('lowers the amount: the difference returns to available; never below what is paid', async () => {
    const c = await signedContract(ctx);
    const manager = await signIn(ctx, c.call.manager.username);
    const staff = await signIn(ctx, c.call.bids[0].staff.username);
    const before = await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026);
    const body = await amendmentBody(c.contractId, {
      amount: '90000.01',
      reason_amount: '减少服务内容',
      reason_milestones: '末期款减少',
    });
    // The advance must shrink too: 30% of ¥90,000.01 is ¥27,000.00.
    body[mf(1, 'share')] = fenToInput(Number(body[mf(1, 'share')].replace('.', '')) - 300_000);
    body[mf(3, 'share')] = fenToInput(Number(body[mf(3, 'share')].replace('.', '')) - 700_000);
    expect((await post(manager, `/contracts/${c.contractId}/amendments`, body)).status).toBe(303);
    const proposed = await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'proposed' }).first();
    // A second proposal while one waits is refused.
    expect((await post(manager, `/contracts/${c.contractId}/amendments`, body)).status).toBe(409);
    expect((await post(staff, `/contracts/${c.contractId}/amendments/${proposed.id}/acceptance`)).status).toBe(303);
    const after = await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026);
    expect(after.total.availableFen - before.total.availableFen).toBe(1_000_000);
    expect(await committed(c.items[0].id)).toBe(9_000_001);

    // Pay the advance through funds, then an amendment below it is refused with the paid amount named.
    const holdings = await holdingsOf(ctx.db, c.items[0].id);
    const { payFromCommitment } = await import('../../src/modules/funds');
    await ctx.db.transaction((trx) =>
      payFromCommitment(trx, {
        awardItemId: c.items[0].id,
        contractId: c.contractId,
        amounts: [{ source: holdings[0].source, amountFen: 2_700_000 }],
        userId: null,
        now: ctx.clock.now(),
      }),
    );
    const staffUserOf = staffUser(c.call);
    expect(staffUserOf.organizationId).toBeTruthy();
    const low = await amendmentBody(c.contractId, {
      amount: '26999.99',
      reason_amount: '大幅减少',
      reason_milestones: '调整',
    });
    const err = await proposeAmendment(ctx, systemActor, c.manager, c.contractId, low).catch((e) => e);
    expect(err).toBeInstanceOf(TermsProblems);
    expect(err.problems.amount).toEqual({ key: 'contracts.errors.belowPaid', params: { paid: '¥27,000.00' } });
    expect((await manager.get('/contracts')).text).toContain('¥27,000.00'); // paid, in the list
    const res = await post(manager, `/contracts/${c.contractId}/amendments`, low);
    expect(res.status).toBe(422);
    expect(res.text).toContain('变更后金额不能低于已支付的 ¥27,000.00');
    expect(res.text).toContain('value="26999.99"');
  });

  it('lowers the amount when the advance is at the cap and already paid: the cap no longer applies to it, the paid floor still does', async () => {
    const c = await signedContract(ctx);
    const manager = await signIn(ctx, c.call.manager.username);
    const staff = await signIn(ctx, c.call.bids[0].staff.username);
    const advance = await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 1 }).first();
    expect(Boolean(advance.advance)).toBe(true);
    expect(Number(advance.amount_fen)).toBe(3_000_000); // 30% of ¥100,000.01, the call's cap
    const { payFromCommitment } = await import('../../src/modules/funds');
    const holdings = await holdingsOf(ctx.db, c.items[0].id);
    await ctx.db.transaction((trx) =>
      payFromCommitment(trx, {
        awardItemId: c.items[0].id,
        contractId: c.contractId,
        amounts: [{ source: holdings[0].source, amountFen: 3_000_000 }],
        userId: null,
        now: ctx.clock.now(),
      }),
    );
    await ctx
      .db('contract_milestones')
      .where({ id: advance.id })
      .update({ settlement: 'paid', settled_at: ctx.clock.now().toISOString() });
    // ¥90,000.01: the paid advance of ¥30,000.00 is above 30% of it, and stays.
    const body = await amendmentBody(c.contractId, {
      amount: '90000.01',
      reason_amount: '减少服务内容',
      reason_milestones: '末期款减少',
    });
    body[mf(3, 'share')] = fenToInput(Number(body[mf(3, 'share')].replace('.', '')) - 1_000_000);
    const res = await post(manager, `/contracts/${c.contractId}/amendments`, body);
    expect(res.status).toBe(303);
    const proposed = await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'proposed' }).first();
    expect((await post(staff, `/contracts/${c.contractId}/amendments/${proposed.id}/acceptance`)).status).toBe(303);
    expect(await committed(c.items[0].id)).toBe(9_000_001 - 3_000_000);
    // Never below what is paid.
    const low = await amendmentBody(c.contractId, {
      amount: '29999.99',
      reason_amount: '再减',
      reason_milestones: '调整',
    });
    const err = await proposeAmendment(ctx, systemActor, c.manager, c.contractId, low).catch((e) => e);
    expect(err).toBeInstanceOf(TermsProblems);
    expect(err.problems.amount).toEqual({ key: 'contracts.errors.belowPaid', params: { paid: '¥30,000.00' } });
  });

  it('refuses a zero-amount milestone with a message naming the row (422, form re-shown)', async () => {
    const c = await signedContract(ctx);
    const manager = await signIn(ctx, c.call.manager.username);
    const body = await amendmentBody(c.contractId, { reason_milestones: '增加节点' });
    body.rows = String(Number(body.rows) + 1);
    const n = Number(body.rows);
    Object.assign(body, {
      [mf(n, 'title')]: '零元节点',
      [mf(n, 'due')]: body[mf(3, 'due')],
      [mf(n, 'share')]: '0',
      [mf(n, 'pass')]: '60',
      [mf(n, 'order')]: String(n),
    });
    const res = await post(manager, `/contracts/${c.contractId}/amendments`, body);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`第 ${n} 行：金额必须大于 0`);
    expect(res.text).toContain('零元节点');
    expect(await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'proposed' })).toHaveLength(0);
  });

  it('is refused to the organization of another contract and rejected with a comment by its own', async () => {
    const c = await signedContract(ctx);
    const manager = await signIn(ctx, c.call.manager.username);
    const body = await amendmentBody(c.contractId, { periodEnd: '2027-12-31', reason_period: '延期' });
    expect((await post(manager, `/contracts/${c.contractId}/amendments`, body)).status).toBe(303);
    const proposed = await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'proposed' }).first();
    const other = (await loginAs(ctx, 'org_staff')).agent;
    expect((await post(other, `/contracts/${c.contractId}/amendments/${proposed.id}/acceptance`)).status).toBe(404);
    const loser = await signIn(ctx, c.call.bids[1].staff.username);
    expect((await post(loser, `/contracts/${c.contractId}/amendments/${proposed.id}/acceptance`)).status).toBe(404);
    const staff = await signIn(ctx, c.call.bids[0].staff.username);
    expect(
      (await post(staff, `/contracts/${c.contractId}/amendments/${proposed.id}/rejection`, { comment: '' })).status,
    ).toBe(422);
    expect(
      (await post(staff, `/contracts/${c.contractId}/amendments/${proposed.id}/rejection`, { comment: '不同意延期' }))
        .status,
    ).toBe(303);
    expect((await ctx.db('contract_versions').where({ id: proposed.id }).first()).status).toBe('rejected');
    expect((await ctx.db('contracts').where({ id: c.contractId }).first()).current_version).toBe(1);
  });
});

describe('ending', () => {
  it('terminates with a reason: the unpaid money returns in the same transaction and the organization is told', async () => {
    const c = await signedContract(ctx);
    const manager = await signIn(ctx, c.call.manager.username);
    const before = await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026);
    expect((await post(manager, `/contracts/${c.contractId}/termination`, { reason: '' })).status).toBe(422);
    const auditor = (await loginAs(ctx, 'auditor', { auditStreets: [c.call.streetOfficeId] })).agent;
    expect((await post(auditor, `/contracts/${c.contractId}/termination`, { reason: 'x' })).status).toBe(403);
    expect((await post(manager, `/contracts/${c.contractId}/termination`, { reason: '乙方无法继续履约' })).status).toBe(
      303,
    );
    const after = await streetYearBalances(ctx.db, c.call.streetOfficeId, 2026);
    expect(after.total.availableFen - before.total.availableFen).toBe(10_000_001);
    expect(await committed(c.items[0].id)).toBe(0);
    expect(await ctx.db('contracts').where({ id: c.contractId }).first()).toMatchObject({
      status: 'terminated',
      termination_reason: '乙方无法继续履约',
    });
    expect(
      await ctx.db('notifications').where({ kind: 'contract.terminated', user_id: c.call.bids[0].staff.id }),
    ).toHaveLength(1);
    expect((await post(manager, `/contracts/${c.contractId}/termination`, { reason: '再次' })).status).toBe(409);
  });

  it('completes once every milestone is settled (the hook for payments)', async () => {
    const c = await signedContract(ctx);
    expect(await ctx.db.transaction((trx) => completeIfSettled(trx, c.contractId, ctx.clock.now()))).toBe(false);
    const ms = await ctx.db('contract_milestones').where({ contract_id: c.contractId }).orderBy('seq');
    await ctx
      .db('contract_milestones')
      .whereIn(
        'id',
        ms.slice(0, -1).map((m) => m.id),
      )
      .update({ settlement: 'paid', settled_at: ctx.clock.now().toISOString() });
    expect(await ctx.db.transaction((trx) => completeIfSettled(trx, c.contractId, ctx.clock.now()))).toBe(false);
    await ctx
      .db('contract_milestones')
      .where({ id: ms[ms.length - 1].id })
      .update({ settlement: 'withheld', settled_at: ctx.clock.now().toISOString() });
    expect(await ctx.db.transaction((trx) => completeIfSettled(trx, c.contractId, ctx.clock.now()))).toBe(true);
    expect((await ctx.db('contracts').where({ id: c.contractId }).first()).status).toBe('completed');
    expect(
      await ctx.db('audit_events').where({ action: 'contract.complete', subject_id: String(c.contractId) }),
    ).toHaveLength(1);
    // The database refuses a half-settled milestone.
    await expect(ctx.db('contract_milestones').where({ id: ms[0].id }).update({ settled_at: null })).rejects.toThrow();
  });
});

describe('awards without short code', () => {
  it('is a clear refusal, not a 500', async () => {
    const { finalAward } = await import('./factory');
    const a = await finalAward(ctx);
    await ctx.db('street_offices').where({ id: a.call.streetOfficeId }).update({ short_code: null });
    const manager = await signIn(ctx, a.call.manager.username);
    const res = await post(manager, `/awards/${a.awardId}/items/${a.items[0].id}/contract`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('尚未设置街道简称');
    void recordAllocation;
  });
});

describe('settled milestones', () => {
  it('cannot be changed by an amendment; the unsettled ones are replaced on acceptance', async () => {
    const c = await signedContract(ctx);
    const first = await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 1 }).first();
    await ctx
      .db('contract_milestones')
      .where({ id: first.id })
      .update({ settlement: 'paid', settled_at: ctx.clock.now().toISOString() });
    const changed = await amendmentBody(c.contractId, { [mf(1, 'title')]: '改名的首期款', reason_milestones: '改名' });
    const err = await proposeAmendment(ctx, systemActor, c.manager, c.contractId, changed).catch((e) => e);
    expect(err).toBeInstanceOf(TermsProblems);
    expect(err.problems.milestones).toEqual({ key: 'contracts.errors.settledChanged', params: { seq: 1 } });
    const ok = await amendmentBody(c.contractId, {
      [mf(3, 'title')]: '末期评估（含满意度调查）',
      reason_milestones: '明确末期内容',
    });
    const versionId = await proposeAmendment(ctx, systemActor, c.manager, c.contractId, ok);
    const { acceptAmendment } = await import('../../src/modules/contracts/service/amendments');
    await acceptAmendment(ctx, systemActor, staffUser(c.call), c.contractId, versionId);
    const rows = await ctx.db('contract_milestones').where({ contract_id: c.contractId }).orderBy('seq');
    expect(rows[0].id).toBe(first.id); // the settled row stays
    expect(rows.map((r) => r.title)).toEqual([first.title, '中期评估', '末期评估（含满意度调查）']);
  });
});
