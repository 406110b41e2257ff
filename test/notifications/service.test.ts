import { createTestContext, type TestContext } from '../helpers/app';
import { InvalidNotification, managersOf, notify, staffOf, unreadCount } from '../../src/modules/notifications/service';
import { translator } from '../../src/web/i18n';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const bidsOpened = {
  kind: 'bids.opened',
  messageKey: 'notifications.messages.bidsOpened',
  params: { call: '居家养老服务' },
  link: '/calls/7',
  subjectType: 'call',
  subjectId: 7,
};
const rowsOf = (userIds: number[]) => ctx.db('notifications').whereIn('user_id', userIds).orderBy('user_id');

describe('notify()', () => {
  it('writes one row per user inside the caller’s transaction, with one insert', async () => {
    const users = [await ctx.make.user('org_staff'), await ctx.make.user('org_staff'), await ctx.make.user('manager')];
    const ids = users.map((u) => u.id);
    const inserts: string[] = [];
    const spy = (q: { sql: string }) => /insert into .notifications./i.test(q.sql) && inserts.push(q.sql);
    ctx.db.on('query', spy);
    await ctx.db.transaction(async (trx) => {
      await notify(trx, [...ids, ids[0]], bidsOpened, ctx.clock.now());
      // Visible inside the transaction, committed with it.
      expect(Number((await trx('notifications').whereIn('user_id', ids).count({ n: '*' }).first())?.n)).toBe(3);
    });
    ctx.db.removeListener('query', spy);
    expect(inserts).toHaveLength(1);
    const rows = await rowsOf(ids);
    expect(rows.map((r) => Number(r.user_id))).toEqual([...ids].sort((a, b) => a - b));
    expect(rows[0]).toMatchObject({
      kind: 'bids.opened',
      message_key: 'notifications.messages.bidsOpened',
      link: '/calls/7',
      subject_type: 'call',
      subject_id: '7',
      created_at: ctx.clock.now().toISOString(),
      read_at: null,
    });
    expect(JSON.parse(rows[0].params_json)).toEqual({ call: '居家养老服务' });
  });

  it('writes nothing when the caller’s transaction rolls back', async () => {
    const user = await ctx.make.user('org_staff');
    await expect(
      ctx.db.transaction(async (trx) => {
        await notify(trx, [user.id], bidsOpened, ctx.clock.now());
        expect(Number((await trx('notifications').where({ user_id: user.id }).count({ n: '*' }).first())?.n)).toBe(1);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await rowsOf([user.id])).toHaveLength(0);
  });

  it('writes nothing for an empty list of users', async () => {
    const before = await ctx.db('notifications').count({ n: '*' }).first();
    await notify(ctx.db, [], bidsOpened, ctx.clock.now());
    expect(await ctx.db('notifications').count({ n: '*' }).first()).toEqual(before);
  });

  it.each([
    ['another site', 'https://evil.example/x'],
    ['a protocol-relative URL', '//evil.example/x'],
    ['a backslash host', '/\\evil.example'],
    ['a relative path', 'calls/7'],
    ['an empty link', ''],
    ['a header injection', '/calls/7\r\nSet-Cookie: x'],
    ['a script URL', 'javascript:alert(1)'],
    ['a link over 500 characters', `/${'x'.repeat(500)}`],
  ])('rejects %s as a link and writes nothing', async (_label, link) => {
    const user = await ctx.make.user('org_staff');
    await expect(notify(ctx.db, [user.id], { ...bidsOpened, link }, ctx.clock.now())).rejects.toBeInstanceOf(
      InvalidNotification,
    );
    expect(await rowsOf([user.id])).toHaveLength(0);
  });

  it('rejects a message key that is not in the locales, or names a group of keys', async () => {
    const user = await ctx.make.user('org_staff');
    for (const messageKey of [
      'notifications.messages.noSuchMessage',
      'notifications.messages',
      'Your bid was opened',
    ]) {
      await expect(notify(ctx.db, [user.id], { ...bidsOpened, messageKey }, ctx.clock.now())).rejects.toBeInstanceOf(
        InvalidNotification,
      );
    }
    await expect(notify(ctx.db, [0], bidsOpened, ctx.clock.now())).rejects.toBeInstanceOf(InvalidNotification);
    expect(await rowsOf([user.id])).toHaveLength(0);
  });

  it('fails the whole change when the link is bad, so nothing of it commits', async () => {
    const user = await ctx.make.user('org_staff');
    await expect(
      ctx.db.transaction(async (trx) => {
        await notify(trx, [user.id], bidsOpened, ctx.clock.now());
        await notify(trx, [user.id], { ...bidsOpened, link: 'https://evil.example' }, ctx.clock.now());
      }),
    ).rejects.toBeInstanceOf(InvalidNotification);
    expect(await rowsOf([user.id])).toHaveLength(0);
  });
});

describe('who to notify', () => {
  it('staffOf() lists the active staff of the given organizations only', async () => {
    const a = await ctx.make.organization();
    const b = await ctx.make.organization();
    const other = await ctx.make.organization();
    const a1 = await ctx.make.user('org_staff', { organization_id: a.id });
    const b1 = await ctx.make.user('org_staff', { organization_id: b.id });
    await ctx.make.user('org_staff', { organization_id: a.id, disabled_at: ctx.clock.now().toISOString() });
    await ctx.make.user('org_staff', { organization_id: other.id });
    expect(await staffOf(ctx.db, [a.id, b.id, a.id])).toEqual([a1.id, b1.id]);
    expect(await staffOf(ctx.db, [])).toEqual([]);
  });

  it('managersOf() lists the active managers of one street office, not its approvers', async () => {
    const street = await ctx.make.streetOffice();
    const m1 = await ctx.make.user('manager', { street_office_id: street.id });
    const m2 = await ctx.make.user('manager', { street_office_id: street.id });
    await ctx.make.user('manager', { street_office_id: street.id, disabled_at: ctx.clock.now().toISOString() });
    await ctx.make.user('approver', { street_office_id: street.id });
    await ctx.make.user('manager');
    expect(await managersOf(ctx.db, street.id)).toEqual([m1.id, m2.id]);
  });

  it('unreadCount() counts only the user’s unread notifications', async () => {
    const user = await ctx.make.user('reviewer');
    const other = await ctx.make.user('reviewer');
    await notify(ctx.db, [user.id, other.id], bidsOpened, ctx.clock.now());
    await notify(ctx.db, [user.id], bidsOpened, ctx.clock.now());
    const first = await ctx.db('notifications').where({ user_id: user.id }).orderBy('id').first();
    await ctx.db('notifications').where({ id: first.id }).update({ read_at: ctx.clock.now().toISOString() });
    expect(await unreadCount(ctx.db, user.id)).toBe(1);
    expect(await unreadCount(ctx.db, other.id)).toBe(1);
  });
});

describe('the messages the bids, review and award work will send', () => {
  const keys = {
    callChanged: ['call'],
    bidsOpened: ['call'],
    awardProposed: ['call'],
    objectionLodged: ['call'],
    objectionAnswered: ['call'],
    awardFinal: ['call'],
    bidResult: ['call', 'score', 'rank'],
  };
  it.each(['zh-CN', 'en'] as const)('exist in %s with their parameters filled in', (lang) => {
    const t = translator(lang);
    for (const [key, params] of Object.entries(keys)) {
      const values = Object.fromEntries(params.map((p) => [p, `<${p}>`]));
      const text = t(`notifications.messages.${key}`, values);
      for (const p of params) expect(text).toContain(`<${p}>`);
    }
  });

  // Both languages' keys, plural forms and placeholders: test/web/locale-parity.test.ts, for every locale file.
});
