/**
 * The two things this module takes from its neighbours, in one place:
 * - money, from the funds module (`holdingsOf`, `increaseShortfall`, `increaseCommitment`, `releaseCommitment`: committed
 *   money per award item and contract, per source), and
 * - the PDF, from src/pdf (`renderContractPdf`), and
 * - the category of the call's catalogue item, from the catalogue (`itemState`), kept on the contract, and
 * - the award item told that its contract was drafted (`markItemContracted`), for the manager's queue.
 */

export {
  holdingsOf,
  holdingsOfItems,
  increaseCommitment,
  increaseShortfall,
  InsufficientFunds,
  releaseCommitment,
  type Holding,
} from '../funds';

export { renderContractPdf } from '../../pdf';

export { itemState } from '../catalog';
export { markItemContracted } from '../awards';
