/** What other modules may use of accounts: the roles, the user form's schema (organizations register
 *  their first user with it) and password hashing. The routes are mounted by src/app.ts. */
export { ROLES, STREET_ROLES, SECOND_FACTOR_ROLES, type Role } from './roles';
export { createUserSchema, type CreateUserInput } from './schemas';
export { hashPassword } from './passwords';
export { insertUser, deleteSessionsOf } from './queries';
