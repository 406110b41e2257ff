import fs from 'node:fs';
import path from 'node:path';
import { createTestContext, type TestContext } from '../helpers/app';
import { signIn } from '../helpers/http';
import { signedContract } from './factory';
import { translator } from '../../src/web/i18n';

/** Below the pass score a milestone is 不予支付 (not paid), as the contract PDF says — never 暂缓支付 (deferred). */
describe('the withheld wording', () => {
  it('is 不予支付 / not paid in the form hint and the settlement state, and 暂缓 appears nowhere in the contracts texts', () => {
    const zh = translator('zh-CN');
    const en = translator('en');
    expect(zh('contracts.milestone.passHint')).toContain('不予支付');
    expect(zh('contracts.milestone.settled.withheld')).toBe('不予支付');
    expect(en('contracts.milestone.passHint')).toContain('not paid');
    expect(en('contracts.milestone.settled.withheld')).toBe('Not paid');
    expect(fs.readFileSync(path.join(__dirname, '../../locales/zh-CN/contracts.json'), 'utf8')).not.toContain('暂缓');
    expect(fs.readFileSync(path.join(__dirname, '../../src/pdf/contract.ts'), 'utf8')).toContain('不予支付');
  });

  describe('on the contract page', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await createTestContext();
    });
    afterAll(() => ctx.close());

    it('shows a withheld milestone as 不予支付', async () => {
      const c = await signedContract(ctx);
      const ms = await ctx.db('contract_milestones').where({ contract_id: c.contractId }).orderBy('seq');
      await ctx
        .db('contract_milestones')
        .where({ id: ms[1].id })
        .update({ settlement: 'withheld', settled_at: ctx.clock.now().toISOString() });
      const page = await (await signIn(ctx, c.call.manager.username)).get(`/contracts/${c.contractId}`);
      expect(page.text).toContain('不予支付');
      expect(page.text).not.toContain('暂缓');
    });
  });
});
