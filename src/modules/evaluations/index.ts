/** What other modules may use of evaluations: the routes, the dashboard's lists, and for the payment step the
 *  result of a closed evaluation. */
export { evaluationRoutes } from './routes';
export { evaluationDashboard, type EvaluationDashboard, type DashboardMilestone } from './dashboard';
export {
  closedEvaluation,
  publicEvaluationResults,
  type ClosedEvaluation,
  type PublicEvaluationResult,
} from './results';
export { gradeOf } from './weighting';
