/**
 * One Jest run for unit tests (src/**\/*.spec.ts) and e2e tests (test/**\/*.e2e-spec.ts).
 * The e2e suite boots the real AppModule on sqlite::memory: by default; `npm run test:mysql`
 * runs the same suite against MariaDB/MySQL (TEST_DB=mysql).
 */
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: '(src/.*\\.spec|test/.*\\.e2e-spec)\\.ts$',
  testEnvironment: 'node',
  // Several instances sharing one database need a real server: MariaDB runs only (test:mysql);
  // test/sqlite-only/ is about the embedded driver.
  testPathIgnorePatterns: ['/node_modules/', process.env.TEST_DB === 'mysql' ? '<rootDir>/test/sqlite-only/' : '<rootDir>/test/scale-out/'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: 'tsconfig.json',
        // The Swagger CLI plugin, as `nest build` applies it, so docs in tests match production.
        astTransformers: { before: ['<rootDir>/test/support/swagger-plugin.js'] },
        diagnostics: { warnOnly: false },
      },
    ],
  },
  // The generated client (clients/typescript) imports its own modules as `./x.js`, as ES modules
  // in Node need; here they are the TypeScript sources.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFiles: ['<rootDir>/test/support/env.setup.js'],
  testTimeout: 30000,
  maxWorkers: 2,
};
