import { formatDateTime, parseShanghaiDateTime, shanghaiDate, toShanghaiInput } from '../../src/shared/time';

describe('time', () => {
  it('shows a stored UTC time in Asia/Shanghai', () => {
    expect(formatDateTime('2026-11-25T16:30:00.000Z')).toBe('2026-11-26 00:30');
    expect(formatDateTime('2026-11-25T16:30:00.000Z', 'en')).toBe('2026-11-26 00:30');
  });

  it('reads a typed time as Shanghai time and stores it in UTC', () => {
    expect(parseShanghaiDateTime('2026-12-01T09:00')?.toISOString()).toBe('2026-12-01T01:00:00.000Z');
    expect(toShanghaiInput('2026-12-01T01:00:00.000Z')).toBe('2026-12-01T09:00');
  });

  it('refuses times that do not exist', () => {
    expect(parseShanghaiDateTime('2026-02-30T09:00')).toBeNull();
    expect(parseShanghaiDateTime('2026-12-01T25:00')).toBeNull();
    expect(parseShanghaiDateTime('tomorrow')).toBeNull();
  });

  it('gives the Beijing calendar date of a moment, across the UTC midnight', () => {
    expect(shanghaiDate('2026-12-31T15:59:59.999Z')).toBe('2026-12-31');
    expect(shanghaiDate('2026-12-31T16:00:00.000Z')).toBe('2027-01-01');
    expect(shanghaiDate(new Date('2026-06-01T00:00:00.000Z'))).toBe('2026-06-01');
  });
});
