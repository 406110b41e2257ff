/** What other modules may use of evaluations: the routes, the dashboard's lists. */
export { evaluationRoutes } from './routes';
export { evaluationDashboard, type EvaluationDashboard } from './dashboard';
