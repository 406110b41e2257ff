/** What other modules may use of street offices: the list and one street office. */
export { listStreetOffices, findStreetOffice, type StreetOfficeRow } from './queries';
