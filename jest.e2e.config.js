/** Browser tests: real headless Chromium (Debian's package) driven by playwright-core. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 120000,
  // Each walk has its own database, server and browser; two at a time use the waits of the other.
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
};
