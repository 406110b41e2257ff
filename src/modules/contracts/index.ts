/** What other modules may use of contracts: the routes, the settlement hook for payments, and the
 *  contracts of awards (for the award page and the award desk). */
export { contractRoutes } from './routes';
export { completeIfSettled } from './service/ending';
export { awardItemContracts, contractsOfAwards, finalAwardItems, type AwardItemContract, type ItemContract, type FinalAwardItem } from './queries';
export { signingWindow, SIGNING_DAYS } from './window';
export { canReadContract, canManageContract, isSigned } from './policy';
export { contractMilestone, contractMilestoneById, dueMilestones, lockContractMilestone, milestonesOfContracts, type ContractMilestone } from './milestones';
