import { checkCreditCode, creditCodeCheckChar, withCheckChar } from '../../src/shared/credit-code';

describe('unified social credit code (GB 32100-2015)', () => {
  // Published codes of real organizations, each with a correct check character.
  const real = ['91350100M000100Y43', '91110000600037341L', '53100000500021676K'];

  it.each(real)('accepts the real code %s', (code) => {
    expect(checkCreditCode(code)).toEqual({ ok: true, code });
  });

  it('accepts lower case and surrounding spaces, normalised', () => {
    expect(checkCreditCode(' 91350100m000100y43 ')).toEqual({ ok: true, code: '91350100M000100Y43' });
  });

  it('names a wrong check character and the one expected', () => {
    expect(checkCreditCode('91350100M000100Y44')).toEqual({ ok: false, problem: 'checkCharacter', expected: '3' });
  });

  it('refuses codes of the wrong length or with letters outside the alphabet', () => {
    expect(checkCreditCode('91350100M000100Y4')).toEqual({ ok: false, problem: 'length' });
    expect(checkCreditCode('91350100M000100I43')).toEqual({ ok: false, problem: 'characters' });
    expect(checkCreditCode('91350100M00O100Y43')).toEqual({ ok: false, problem: 'characters' });
  });

  it('completes 17 characters with their check character', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(checkCreditCode(withCheckChar('52320115MJ5412345')).ok).toBe(true);
  });
});
