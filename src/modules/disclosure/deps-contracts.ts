/** Re-exports the few constants the input parsers need (kept apart so input.ts stays free of queries). */
export { MIN_YEAR } from '../funds';
export { PUBLIC_CONTRACT_STATUSES as PUBLIC_CONTRACT_STATUSES_LIST, type PublicContractStatus } from '../contracts';
