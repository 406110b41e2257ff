import { translator } from '../../src/web/i18n';

// The per-language translator remembers plain texts (keys without options); everything else goes
// to i18next as before.
describe('translator', () => {
  it('gives the same texts as before, per language, remembered or not', () => {
    const zh = translator('zh-CN');
    const en = translator('en');
    expect(translator('zh-CN')).toBe(zh);
    expect(zh('common.next')).toBe('下一页');
    expect(zh('common.next')).toBe('下一页');
    expect(en('common.next')).toBe('Next');
    expect(zh('dashboard.queue.more', { count: 20 })).toContain('20');
    expect(en('dashboard.queue.more', { count: 20 })).toContain('Only the oldest 20');
    // A key with no text stays the key, as i18next gives it.
    expect(zh('no.such.key')).toBe('no.such.key');
    expect(zh(['no.such.key', 'common.next'])).toBe('下一页');
  });
});
