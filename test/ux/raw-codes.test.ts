import { rawCodes } from '../e2e/raw-codes';

// The browser tests read every page for these (test/e2e/browser.ts); here, what they catch and what they let pass.
describe('raw action codes and untranslated keys in visible text', () => {
  it('finds audit action codes and i18n keys, also inside Chinese text', () => {
    expect(rawCodes('王经理 call.publish 东山街道')).toEqual(['call.publish']);
    expect(rawCodes('登录（auth.sign_in）')).toEqual(['auth.sign_in']);
    expect(rawCodes('待办：dashboard.queue.kinds.changed')).toEqual(['dashboard.queue.kinds.changed']);
    expect(rawCodes('user.create, catalog_item.retire')).toEqual(['user.create', 'catalog_item.retire']);
  });

  it('lets usernames, addresses, paths, file names and numbers pass', () => {
    expect(rawCodes('manager.dongshan org.anxin reviewer.zhang e2e.huimin-ab2c')).toEqual([]);
    expect(rawCodes('staff@calls.example.org http://127.0.0.1:3000/calls.json /audit/call.publish')).toEqual([]);
    expect(rawCodes('contract.pdf report.xlsx ¥1,234.56 第 1.5 页')).toEqual([]);
  });
});
