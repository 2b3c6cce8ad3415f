/** Tests run against real databases and real servers; see test/support/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is `tsc --noEmit` in `npm test`; here we only transpile, which keeps Jest fast.
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { isolatedModules: true, allowJs: true, module: 'commonjs', moduleResolution: 'node10', verbatimModuleSyntax: false } }],
  },
  // jose@6 ships ESM only: Jest 30 on Node 24 loads it natively through require(esm). PGlite's CommonJS
  // build loads Node built-ins with import(): `npm test` runs Jest with --experimental-vm-modules for that.
  transformIgnorePatterns: ['/node_modules/'],
  // CI without TEST_DATABASE_URL stops here rather than pass on PGlite alone.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Generous: a 2-core CI machine starts an embedded database per file while another worker runs; nothing here is a speed target.
  testTimeout: 90000,
  maxWorkers: 2,
};
