// One runner for every kind of test. Unit specs (*.spec.ts) run beside the code; *.int-spec.ts and
// *.e2e-spec.ts use the real Kafka (and mail server, Redis, browser) started by test/support/global-setup.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  // Caches (Kafka jars, benchmark baselines copied from git) are not the project's tests.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/\\.cache/'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  moduleFileExtensions: ['ts', 'js', 'json'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
  // kafkajs keeps retry timers of clients that a test abandoned on purpose (a hung broker);
  // they must not keep the run alive after every test has finished.
  forceExit: true,
};
