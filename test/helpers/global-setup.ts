import { ensureTemplate } from './template-db';

/** jest globalSetup: the migrated template that every test file's database is copied from (template-db.ts). */
export default async function globalSetup(): Promise<void> {
  await ensureTemplate(process.env.TEST_DATABASE_URL ?? '');
}
