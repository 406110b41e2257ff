import { createPageCache } from '../../src/web/page-cache';

describe('the page cache', () => {
  it('gives back what was kept under the same key, nothing under another', () => {
    const cache = createPageCache(1_000);
    cache.set('zh-CN|/public|7|2026', '<p>页</p>');
    expect(cache.get('zh-CN|/public|7|2026')).toBe('<p>页</p>');
    expect(cache.get('zh-CN|/public|8|2026')).toBeUndefined();
    expect(cache.get('en|/public|7|2026')).toBeUndefined();
  });

  it('stays within its byte budget, dropping the least recently used page first', () => {
    // Each entry weighs 2 x (key + page) characters: 2 x (1 + 99) = 200 bytes.
    const cache = createPageCache(600);
    const page = (c: string) => c.repeat(99);
    cache.set('a', page('a'));
    cache.set('b', page('b'));
    cache.set('c', page('c'));
    expect(cache.size()).toEqual({ entries: 3, bytes: 600 });
    cache.get('a'); // now b is the least recently used
    cache.set('d', page('d'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(page('a'));
    expect(cache.get('c')).toBe(page('c'));
    expect(cache.get('d')).toBe(page('d'));
    expect(cache.size()).toEqual({ entries: 3, bytes: 600 });
  });

  it('replaces a page kept again under its key, and never keeps a page larger than the budget', () => {
    const cache = createPageCache(300);
    cache.set('a', 'x'.repeat(99));
    cache.set('a', 'y'.repeat(49));
    expect(cache.size()).toEqual({ entries: 1, bytes: 100 });
    cache.set('big', 'z'.repeat(200));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('a')).toBe('y'.repeat(49));
  });
});
