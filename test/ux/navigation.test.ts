import { navFor, PUBLIC_NAV } from '../../src/web/nav';

describe('navigation: a few places per role, no look-alike pairs', () => {
  it('a manager has 本街道公告 and the award desk, not the public 项目公告 and 中标公示 beside them', () => {
    const hrefs = navFor('manager').map((i) => i.href);
    expect(hrefs).toContain('/my/calls');
    expect(hrefs).toContain('/manage/awards');
    expect(hrefs).not.toContain('/calls');
    expect(hrefs).not.toContain('/awards');
    expect(hrefs).not.toContain('/street-office/exclusions');
  });

  it('the public and organization staff find the public calls and award notices in the header', () => {
    for (const role of [null, 'org_staff'] as const) {
      const hrefs = navFor(role).map((i) => i.href);
      expect(hrefs).toContain('/calls');
      expect(hrefs).toContain('/awards');
    }
  });

  it('staff roles keep only their places of work in the header; every public page is in every footer', () => {
    for (const role of ['manager', 'approver', 'reviewer', 'auditor', 'admin'] as const) {
      const hrefs = navFor(role).map((i) => i.href);
      for (const href of ['/calls', '/awards', '/registry', '/public']) expect(hrefs).not.toContain(href);
      expect(hrefs.length).toBeLessThanOrEqual(11);
    }
    expect(PUBLIC_NAV.map((i) => i.href)).toEqual(['/catalog', '/calls', '/awards', '/registry', '/public']);
  });

  it('the approver has 拨付 only, not 待审批拨付 beside it (the dashboard is the queue and links to it)', () => {
    const hrefs = navFor('approver').map((i) => i.href);
    expect(hrefs).toEqual(['/dashboard', '/payments']);
  });

  it('the registration is named the same everywhere (社会组织注册)', async () => {
    const zh = (await import('../../locales/zh-CN/nav.json')).default as Record<string, string>;
    const home = (await import('../../locales/zh-CN/home.json')).default as Record<string, string>;
    const orgs = (await import('../../locales/zh-CN/organizations.json')).default as { register: { title: string } };
    expect(zh.registerOrganization).toBe('社会组织注册');
    expect(home.register).toBe('社会组织注册');
    expect(orgs.register.title).toBe('社会组织注册');
  });
});

describe('one name per page', () => {
  it('the public award notices are 中标/立项公示 in the header, the front page and as their heading', async () => {
    const awards = (await import('../../locales/zh-CN/awards.json')).default as {
      nav: string;
      list: { title: string };
    };
    const home = (await import('../../locales/zh-CN/home.json')).default as Record<string, string>;
    expect(awards.nav).toBe('中标/立项公示');
    expect(awards.list.title).toBe(awards.nav);
    expect(home.awards).toBe(awards.nav);
  });
});
