/**
 * Tests under tests/postgres need a real server (concurrency cannot be shown on the
 * single-connection embedded database); they run when TEST_DATABASE_URL is set.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/tests'],
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...(onPostgres ? [] : ['<rootDir>/tests/postgres/'])],
  testTimeout: 30000,
  // The embedded database costs memory per worker; two workers suit a two-core machine.
  maxWorkers: 2,
};
