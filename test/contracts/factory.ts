// The award-to-contract builders are links of the shared chain of test records (test/helpers/chain.ts).
export { finalAward, staffUser, draftContract, signedContract, type FinalAward } from '../helpers/chain';
