/** Scores are kept in hundredths (0..10000): 87.5 is 8750. This file holds the one display formatter. */

/** 8750 -> '87.50'; null or undefined (no score) -> ''. A numeric string (a driver's integer) is read as its number. */
export const formatScore = (hundredths: number | string | null | undefined): string => {
  if (hundredths === null || hundredths === undefined) return '';
  const h = Number(hundredths);
  return `${Math.floor(h / 100)}.${String(h % 100).padStart(2, '0')}`;
};
