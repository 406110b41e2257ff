import { translator } from '../../src/web/i18n';
import { creditCodeMessage } from '../../src/modules/organizations/schemas';
import { withCheckChar } from '../../src/shared/credit-code';

describe('credit code messages name the problem', () => {
  const zh = translator('zh-CN');
  const en = translator('en');
  const valid = withCheckChar('52320115MJ5412345');

  it('says nothing about a valid code, in any case and with spaces', () => {
    expect(creditCodeMessage(valid, zh)).toBeNull();
    expect(creditCodeMessage(` ${valid.toLowerCase()} `, en)).toBeNull();
  });

  it('names the wrong length and the length given', () => {
    expect(creditCodeMessage(valid.slice(0, 17), zh)).toBe('统一社会信用代码应为 18 位，您填写了 17 位');
    expect(creditCodeMessage(`${valid}1`, en)).toBe('A unified social credit code has 18 characters; you entered 19');
  });

  it.each(['I', 'O', 'S', 'V', 'Z', '-'])('names the character %s as not allowed', (c) => {
    const code = `${valid.slice(0, 5)}${c}${valid.slice(6)}`;
    expect(creditCodeMessage(code, zh)).toContain(`不能出现“${c}”`);
    expect(creditCodeMessage(code, zh)).toContain('不含 I、O、S、V、Z');
    expect(creditCodeMessage(code, en)).toContain(`cannot contain “${c}”`);
  });

  it('names the check character expected and the one given', () => {
    const wrong = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
    const msg = creditCodeMessage(wrong, zh)!;
    expect(msg).toContain(`应为“${valid[17]}”`);
    expect(msg).toContain(`您填写的是“${wrong[17]}”`);
    expect(creditCodeMessage('91350100M000100Y44', en)).toContain('it should be “3”, you entered “4”');
  });
});
