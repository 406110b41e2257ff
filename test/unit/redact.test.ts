import fc from 'fast-check';
import { creditCodeCheckChar } from '../../src/shared/credit-code';
import { redactPersonalData } from '../../src/shared/redact';

/** A resident ID number with its correct GB 11643 check digit. */
function idNumber(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

describe('redactPersonalData', () => {
  it.each([
    ['联系人王芳，电话13812345678。', '联系人王芳，电话[电话已隐去]。'],
    ['手机：138 1234 5678（工作日）', '手机：[电话已隐去]（工作日）'],
    ['手机：138-1234-5678', '手机：[电话已隐去]'],
    ['+86 139 0000 1111 或 8615900001111', '[电话已隐去] 或 [电话已隐去]'],
    ['Tel:19912345678/17712345678', 'Tel:[电话已隐去]/[电话已隐去]'],
    ['办公电话 025-84561234 转 802', '办公电话 [电话已隐去]'],
    ['座机（028）8256 1234，或0572-2345678', '座机[电话已隐去]，或[电话已隐去]'],
    ['010 12345678', '010 12345678'], // a Beijing number cannot start with 1: not a landline
    ['01062345678', '[电话已隐去]'],
  ])('hides phone numbers: %s', (input, expected) => {
    expect(redactPersonalData(input)).toBe(expected);
  });

  it('hides 18-digit resident ID numbers, with an X check digit, with spaces, and mistyped ones', () => {
    const withX = '11010519491231002X';
    const valid = idNumber('32011519850612341');
    expect(redactPersonalData(`负责人身份证号${withX}，`)).toBe('负责人身份证号[证件号已隐去]，');
    expect(redactPersonalData(`身份证 ${withX.toLowerCase()}`)).toBe('身份证 [证件号已隐去]');
    expect(redactPersonalData(`ID ${valid.slice(0, 6)} ${valid.slice(6, 14)} ${valid.slice(14)}`)).toBe(
      'ID [证件号已隐去]',
    );
    const wrongCheck = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
    expect(redactPersonalData(`证件 ${wrongCheck}`)).toBe('证件 [证件号已隐去]');
  });

  it('keeps credit codes, money amounts, dates and ordinary numbers', () => {
    const letters = '91320115MA1W7A3B2X';
    const first17 = '51320115196509123';
    const allDigits = first17 + creditCodeCheckChar(first17);
    const text =
      `统一社会信用代码${letters}；${allDigits}。合同金额¥200,000.00（200000元），` +
      `另13800138000元；服务期2027-01-01至2027-12-31，共13912个服务人次，编号DS-2026-0007，第12345678901期`;
    expect(allDigits).toMatch(/^\d{17}[\dX]$/); // shaped like an ID number, with a birth date inside
    expect(allDigits).not.toBe(idNumber(first17));
    expect(redactPersonalData(text)).toBe(text);
  });

  it('leaves text without personal data unchanged, and can use other masks', () => {
    expect(redactPersonalData('为辖区60周岁以上老人提供助餐服务，每周3次。')).toBe(
      '为辖区60周岁以上老人提供助餐服务，每周3次。',
    );
    expect(redactPersonalData('call 13812345678', { phone: '***', idNumber: '###' })).toBe('call ***');
  });

  const han = fc.string({ unit: fc.constantFrom(...'服务对象联系电话地址：，。（）'), maxLength: 12 });
  const digits = (n: number) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

  it('removes any mobile number, however it is spaced, from any text around it', () => {
    const mobile = fc
      .tuple(fc.integer({ min: 3, max: 9 }), digits(9), fc.constantFrom('', ' ', '-'))
      .map(([second, rest, sep]) => `1${second}${rest.slice(0, 1)}${sep}${rest.slice(1, 5)}${sep}${rest.slice(5)}`);
    fc.assert(
      fc.property(han, mobile, han, (before, phone, after) => {
        const out = redactPersonalData(`${before}${phone}${after}`);
        expect(out).toBe(`${before}[电话已隐去]${after}`);
      }),
      { numRuns: 500 },
    );
  });

  it('never changes a valid credit code', () => {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const code = fc
      .array(fc.constantFrom(...alphabet), { minLength: 17, maxLength: 17 })
      .map((c) => c.join(''))
      .map((first17) => first17 + creditCodeCheckChar(first17));
    fc.assert(
      fc.property(han, code, han, (before, c, after) => {
        const text = `${before}${c}${after}`;
        const out = redactPersonalData(text);
        // An all-digit code that is also a valid ID number is hidden: it cannot be told from one.
        if (out !== text) expect(/^\d{17}[\dX]$/.test(c) && idNumber(c.slice(0, 17)) === c).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
