// Jest projects: `unit` (pure logic, beside the code), `e2e` (real Kafka + MongoDB-wire server,
// apps in-process), `readme` (the README's commands run as printed against `npm run dev`),
// `faults` (real servers, apps as child processes killed and restarted), `browser` (the inbox page
// in Debian's Chromium through playwright-core, against apps in-process on the real servers),
// `cluster` (throw-away Kafka clusters of their own, Toxiproxy, TLS; the stack's MongoDB-wire server).
// `npm test` runs them all through stack/cli.js, which provides the servers.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // jose v6 is ESM-only (Node loads it with require(esm)); jest's module loader needs it as CommonJS.
    '/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true }, diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  testEnvironment: 'node',
  rootDir: __dirname,
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-e2e.ts'],
      slowTestThreshold: 60,
    },
    {
      ...common,
      displayName: 'readme',
      testMatch: ['<rootDir>/test/readme/**/*.readme-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-readme.ts'],
      slowTestThreshold: 120,
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-e2e.ts'],
      slowTestThreshold: 120,
    },
    {
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-faults.ts'],
      slowTestThreshold: 300,
    },
    {
      ...common,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.cluster-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-faults.ts'],
      slowTestThreshold: 300,
    },
  ],
};
