/** What other modules may use of contracts: the routes, the settlement hook for payments, and the
 *  contracts of awards (for the award page and the award desk). */
export { contractRoutes } from './routes';
export { completeIfSettled, terminateContract } from './service/ending';
export {
  awardItemContracts,
  contractsOfAwards,
  finalAwardItems,
  type AwardItemContract,
  type ItemContract,
  type FinalAwardItem,
} from './queries';
export { signingWindow, SIGNING_DAYS } from './window';
export { canReadContract, canManageContract, isSigned } from './policy';
export {
  contractMilestone,
  contractMilestoneById,
  dueMilestones,
  lockContractMilestone,
  milestonesOfContracts,
  type ContractMilestone,
} from './milestones';
/** The public's view (signed contracts only, redacted) for the disclosure pages and the open data. */
export {
  PUBLIC_CONTRACT_STATUSES,
  listPublicContracts,
  PUBLIC_CONTRACT_ORDER,
  allPublicContracts,
  publicContract,
  publicMilestonesOf,
  publicPaidByCategory,
  type PaidInCategory,
  type PublicContract,
  type PublicContractRow,
  type PublicContractFilters,
  type PublicContractStatus,
  type PublicMilestone,
  type PublicAmendment,
} from './public';
