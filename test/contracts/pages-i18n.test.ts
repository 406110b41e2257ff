import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import { draftContract, signedContract } from './factory';
import { proposeAmendment } from '../../src/modules/contracts/service/amendments';
import { systemActor } from '../../src/audit/audit';
import { termsOf, versionInForce } from '../../src/modules/contracts/queries';
import { termsToValues } from '../../src/modules/contracts/terms';
import { fenToInput } from '../../src/shared/money';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const language = async (agent: Agent, lang: string) =>
  agent
    .post('/language')
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/dashboard'), lang, returnTo: '/dashboard' });

it.each(['zh-CN', 'en'])('shows every contract page in %s with no untranslated key', async (lang) => {
  const c = await signedContract(ctx);
  const terms = termsOf((await versionInForce(ctx.db, c.contractId))!);
  await proposeAmendment(ctx, systemActor, c.manager, c.contractId, {
    ...termsToValues(terms, fenToInput),
    amount: fenToInput(terms.amountFen),
    periodEnd: terms.periodEnd,
    servicePlan: `${terms.servicePlan}（补充）`,
    reason_milestones: '补充服务内容',
  });
  const manager = await signIn(ctx, c.call.manager.username);
  const staff = await signIn(ctx, c.call.bids[0].staff.username);
  await language(manager, lang);
  await language(staff, lang);
  const d = await draftContract(ctx);
  const draftManager = await signIn(ctx, d.call.manager.username);
  await language(draftManager, lang);
  const pages = [
    await draftManager.get(`/contracts/${d.contractId}/edit`),
    await draftManager.get('/manage/awards'),
    await manager.get(`/contracts/${c.contractId}/amendments/new`),
    await manager.get(`/contracts/${c.contractId}`),
    await manager.get('/contracts'),
    await manager.get('/manage/awards'),
    await manager.get(`/awards/${c.awardId}`),
    await staff.get(`/contracts/${c.contractId}`),
    await staff.get('/my/contracts'),
  ];
  for (const res of pages) {
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/contracts\.[a-zA-Z]+\.[a-zA-Z]/);
  }
  expect(pages[7].text).toContain(lang === 'en' ? 'Accept the amendment' : '同意变更');
  if (lang === 'en') expect(pages[3].text).toContain('Milestones and payment schedule');
});
