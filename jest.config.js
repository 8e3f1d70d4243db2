/**
 * One jest run over every package. TypeScript is compiled by swc (type-checking is `tsc -b`, run by
 * the build). Workspace libs resolve to their sources, so tests never run stale builds of them;
 * services under test run as their own processes from dist/ (see @rampart/testing).
 */
const LIBS = 'errors|config|proto|telemetry|auth|store|events|grpc-kit|testing|access-verifier';

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/cli', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  transform: {
    '^.+\\.[cm]?[jt]s$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  // jose, uuid, BSI's CSAF validator library and Renovate's version orders ship ES modules only; let swc turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?(jose|uuid|@secvisogram/csaf-validator-lib|@renovatebot/pep440|@renovatebot/ruby-semver)/)'],
  moduleNameMapper: { [`^@rampart/(${LIBS})$`]: '<rootDir>/libs/$1/src/index.ts' },
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
