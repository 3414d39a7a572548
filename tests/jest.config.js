/**
 * Tests under tests/postgres need a real server (concurrency cannot be shown on the
 * single-connection embedded database); they run when TEST_DATABASE_URL is set.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/tests'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // otplib's base32 codec and HMAC ship as ES modules only, which Jest on Node 20 cannot require.
    '/node_modules/(@scure/base|@noble/hashes)/.+\\.js$': [
      'ts-jest',
      { diagnostics: false, tsconfig: { allowJs: true } },
    ],
  },
  // (The innermost node_modules decides: otplib's plugins keep their own copy of @noble/hashes.)
  transformIgnorePatterns: ['/node_modules/(?!.*/node_modules/)(?!(@scure/base|@noble/hashes)/)'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...(onPostgres ? [] : ['<rootDir>/tests/postgres/'])],
  testTimeout: 30000,
  // One migration per run, not per file (tests/helpers/db.ts).
  globalSetup: '<rootDir>/tests/globalSetup.ts',
  // The embedded database costs memory per worker; two workers suit a two-core machine.
  maxWorkers: 2,
};
