/** Request and unit tests. They run against SQLite by default, and against PostgreSQL when
 *  TEST_DATABASE_URL is set (each test file gets its own database). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  // On PostgreSQL a worker waits for the server much of the time: a third worker uses those waits
  // (the suite took 222 s with two and 185 s with three on this 2-core machine; SQLite gains little).
  maxWorkers: process.env.TEST_DATABASE_URL ? 3 : 2,
  // One migrated template per run; each test file's database is a copy of it (test/helpers/template-db.ts).
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
};
