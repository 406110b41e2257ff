/** What other modules may use of evaluations: the routes. */
export { evaluationRoutes } from './routes';
