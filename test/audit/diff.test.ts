import { translator } from '../../src/web/i18n';
import { eventDiff } from '../../src/modules/audit-trail/diff';

describe('the before/after of an event', () => {
  const zh = translator('zh-CN');
  const en = translator('en');

  it('labels each field in the reader language and marks the changed ones', () => {
    const rows = eventDiff(
      JSON.stringify({ status: 'draft', amount_fen: 12345 }),
      JSON.stringify({ status: 'published', amount_fen: 12345, published_at: '2026-12-01T16:30:00.000Z' }),
      zh,
      'zh-CN',
    );
    expect(rows).toEqual([
      { field: 'status', label: '状态', before: '草稿', after: '报名中', changed: true },
      { field: 'amount_fen', label: '金额', before: '¥123.45', after: '¥123.45', changed: false },
      { field: 'published_at', label: '发布时间', before: '—', after: '2026-12-02 00:30', changed: true },
    ]);
    expect(eventDiff(null, JSON.stringify({ amountFen: 1 }), en, 'en')[0]).toMatchObject({
      label: 'Amount',
      after: '¥0.01',
    });
  });

  it('reads nested values as labelled pairs, hundredths as scores and unknown fields by their words', () => {
    const [scores, weighted, odd] = eventDiff(
      null,
      JSON.stringify({ scores: [{ criterionId: 21, score: 80 }], weightedHundredths: 8155, some_new_field: true }),
      zh,
      'zh-CN',
    );
    expect(scores.after).toBe('评分项编号：21，评分：80');
    expect(weighted).toMatchObject({ label: '加权得分', after: '81.55' });
    expect(odd).toMatchObject({ label: 'some new field', after: '是' });
  });

  it('copes with an event that wrote no object', () => {
    expect(eventDiff(null, null, zh, 'zh-CN')).toEqual([]);
    expect(eventDiff('"x"', null, zh, 'zh-CN')[0]).toMatchObject({ before: 'x', after: '—' });
  });
});

describe('user ids in the before/after', () => {
  it('are found in *_by and reviewer fields, at any depth, and shown by name', async () => {
    const { userIdsIn } = await import('../../src/modules/audit-trail/diff');
    const after = JSON.stringify({ signed_by: 2, sheets: [{ reviewerId: 7, score: 80 }], count: 3 });
    expect(userIdsIn(null, after).sort()).toEqual([2, 7]);
    const zh = translator('zh-CN');
    const rows = eventDiff(null, after, zh, 'zh-CN', new Map([[2, '王主管（manager.wang）']]));
    expect(rows[0]).toMatchObject({ label: '签订人', after: '王主管（manager.wang）' });
  });
});
