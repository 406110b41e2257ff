import { formatScore, parseScore, scoreInput } from '../../src/modules/evaluations/score';

it.each([
  ['0', 0],
  ['100', 10000],
  ['100.00', 10000],
  ['87.5', 8750],
  ['87.05', 8705],
  [' 60 ', 6000],
])('parses %s as %i hundredths', (text, value) => expect(parseScore(text)).toBe(value));

it.each(['100.01', '101', '-1', '87.555', '1e2', '', '.5', '8 7', '０'])('refuses %p', (text) =>
  expect(parseScore(text)).toBeUndefined(),
);

it('formats hundredths back', () => {
  expect(formatScore(8705)).toBe('87.05');
  expect(scoreInput(8750)).toBe('87.5');
  expect(scoreInput(9000)).toBe('90');
  expect(scoreInput(null)).toBe('');
});
