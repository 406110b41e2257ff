/** What other modules may use of the public disclosure module: its routes. See README.md. */
export { disclosureRoutes } from './routes';
