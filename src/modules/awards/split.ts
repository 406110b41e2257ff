/** Moved to src/shared/split.ts so that every module splits money the same way; kept for callers. */
export { splitByShares } from '../../shared/split';
