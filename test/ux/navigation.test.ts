import { navFor } from '../../src/web/nav';

describe('navigation: a few places per role, no look-alike pairs', () => {
  it('a manager has 本街道公告 and the award desk, not the public 项目公告 and 中标公示 beside them', () => {
    const hrefs = navFor('manager').map((i) => i.href);
    expect(hrefs).toContain('/my/calls');
    expect(hrefs).toContain('/manage/awards');
    expect(hrefs).not.toContain('/calls');
    expect(hrefs).not.toContain('/awards');
    expect(hrefs).not.toContain('/street-office/exclusions');
  });

  it('everyone else still finds the public calls and award notices', () => {
    for (const role of [null, 'org_staff', 'reviewer', 'auditor', 'admin'] as const) {
      const hrefs = navFor(role).map((i) => i.href);
      expect(hrefs).toContain('/calls');
      expect(hrefs).toContain('/awards');
    }
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
