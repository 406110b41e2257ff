import { formatGrowthPercent, formatSignedMoney } from './format';
import { ANNUAL_FLOOR_FEN, FUND_SOURCES } from './ledger';

/** What every funds page's view uses to show growth, signed amounts, the annual floor and the sources. */
export const viewHelpers = {
  growthPercent: formatGrowthPercent,
  signedMoney: formatSignedMoney,
  floorFen: ANNUAL_FLOOR_FEN,
  sources: FUND_SOURCES,
};

export const streetYearPath = (streetId: number, year: number) => `/funds/streets/${streetId}/years/${year}`;
