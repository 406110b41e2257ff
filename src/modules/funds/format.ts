import { formatMoney } from '../../shared/money';

/** Basis points (hundredths of a percent, integer) -> "+12.34%" / "-5.00%"; integer arithmetic only. */
export function formatGrowthPercent(bp: number | null): string {
  if (bp === null) return '';
  const abs = Math.abs(bp);
  return `${bp < 0 ? '-' : '+'}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}%`;
}

/** "+¥1,000.00" for growth, "-¥1,000.00" for a fall. */
export function formatSignedMoney(fen: number): string {
  return fen > 0 ? `+${formatMoney(fen)}` : formatMoney(fen);
}
