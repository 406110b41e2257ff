import fs from 'node:fs';
import path from 'node:path';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import { signedContract } from './factory';
import { hasKey, LANGUAGES } from '../../src/web/i18n';
import { auditActionLabel } from '../../src/modules/contracts/audit-labels';
import { translator } from '../../src/web/i18n';

/** Every `'contract.…'` string in the source that is not a notification kind: the audit actions the services write. */
function contractActionsInSource(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/(kind:\s*)?'(contract\.[a-z_.]+)'/g))
          if (!m[1]) found.add(m[2]);
      }
    }
  };
  walk(path.join(__dirname, '../../src'));
  return [...found].sort();
}

describe('contract audit action labels', () => {
  const actions = contractActionsInSource();

  it('finds the actions the services write (the scan itself works)', () => {
    for (const a of [
      'contract.draft',
      'contract.sign',
      'contract.download',
      'contract.amend.accept',
      'contract.amend.withdraw',
      'contract.terminate',
      'contract.complete',
    ])
      expect(actions).toContain(a);
  });

  it.each(LANGUAGES)('has a label for every contract.* action in %s', (lang) => {
    const missing = actions.filter((a) => !hasKey(`contracts.auditAction.${a.slice('contract.'.length)}`, lang));
    expect(missing).toEqual([]);
    for (const a of actions) expect(auditActionLabel(translator(lang), lang, a)).not.toBe(a);
  });

  it('names an action from another module as the audit trail does, and only an unknown one by its code', () => {
    expect(auditActionLabel(translator('zh-CN'), 'zh-CN', 'payment.approve')).toBe('批准了付款 …');
    expect(auditActionLabel(translator('en'), 'en', 'report.download')).not.toMatch(/report\.download/);
    expect(auditActionLabel(translator('zh-CN'), 'zh-CN', 'contract.unknown_thing')).toBe('contract.unknown_thing');
  });
});

describe('the contract page audit list', () => {
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

  it('renders labels, not codes, in both languages', async () => {
    const c = await signedContract(ctx);
    const manager = await signIn(ctx, c.call.manager.username);
    const zh = await manager.get(`/contracts/${c.contractId}`);
    const events = (html: string) => html.slice(html.indexOf('id="h-events"'));
    expect(events(zh.text)).toContain('甲方签订');
    expect(events(zh.text)).toContain('起草合同');
    expect(events(zh.text)).not.toMatch(/contract\.(sign|draft|send|accept)\b/);
    await language(manager, 'en');
    const en = await manager.get(`/contracts/${c.contractId}`);
    expect(events(en.text)).toContain('Signed by the street office');
    expect(events(en.text)).not.toMatch(/contract\.(sign|draft|send|accept)\b/);
  });
});
