/** Request and unit tests. They run against SQLite by default, and against PostgreSQL when
 *  TEST_DATABASE_URL is set (each test file gets its own database). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  maxWorkers: 2,
  // One migrated template per run; each test file's database is a copy of it (test/helpers/template-db.ts).
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
};
