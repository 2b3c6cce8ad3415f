/** Tests run against real databases and real servers; see test/support/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is `tsc --noEmit` in `npm test`; here we only transpile, which keeps Jest fast.
    '^.+\\.[tj]s$': ['ts-jest', { isolatedModules: true, tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node10', verbatimModuleSyntax: false } }],
  },
  // jose@6 ships ESM only: let ts-jest turn it into CommonJS for the test runtime.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 30000,
  maxWorkers: 2,
};
