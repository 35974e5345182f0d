#!/usr/bin/env node
/**
 * `npm run test:mysql [-- <jest options>]`: the e2e suite on MariaDB/MySQL (TEST_DB=mysql), in
 * two passes: every file that only needs its own database with two Jest workers, then the files
 * that time a stalled database or run instances side by side (test/scale-out/, the database
 * freeze and stall tests) one at a time, so their time bounds are measured on a machine nobody
 * else loads. With file arguments it runs just those, one at a time. `--outputFile=<file>` (with
 * `--json`) writes one report for both passes, as a single run would.
 */
const { spawnSync } = require('node:child_process');
const { readFileSync, rmSync, writeFileSync } = require('node:fs');

const jest = require.resolve('jest/bin/jest');
const env = { ...process.env, TEST_DB: 'mysql' };
const SERIAL = ['test/scale-out/', 'test/database-freeze.e2e-spec.ts', 'test/database-stall.e2e-spec.ts'];
const escaped = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const IGNORED_IN_PARALLEL = ['/node_modules/', '/test/sqlite-only/', ...SERIAL.map((path) => `/${escaped(path)}`)].join('|');

const args = process.argv.slice(2);
const files = args.filter((arg) => !arg.startsWith('-'));
const options = args.filter((arg) => arg.startsWith('-'));
const run = (jestArgs) => spawnSync(process.execPath, [jest, ...jestArgs], { stdio: 'inherit', env }).status ?? 1;

if (files.length > 0) process.exit(run(['--runInBand', ...files, ...options]));

const output = options.find((arg) => arg.startsWith('--outputFile='))?.slice('--outputFile='.length);
const withOutput = (suffix) => (output ? [...options.filter((arg) => !arg.startsWith('--outputFile=')), `--outputFile=${output}.${suffix}`] : options);
const parallel = run(['test/', '--maxWorkers=2', `--testPathIgnorePatterns=${IGNORED_IN_PARALLEL}`, ...withOutput('parallel')]);
const serial = run(['--runInBand', ...SERIAL, ...withOutput('serial')]);

if (output) {
  const parts = ['parallel', 'serial'].map((suffix) => {
    try {
      return JSON.parse(readFileSync(`${output}.${suffix}`, 'utf8'));
    } catch {
      return undefined;
    } finally {
      rmSync(`${output}.${suffix}`, { force: true });
    }
  });
  const sum = (key) => parts.reduce((n, part) => n + (part?.[key] ?? 0), 0);
  writeFileSync(
    output,
    JSON.stringify({
      success: parts.every((part) => part?.success === true),
      numTotalTests: sum('numTotalTests'),
      numPassedTests: sum('numPassedTests'),
      numFailedTests: sum('numFailedTests') + parts.filter((part) => part === undefined).length,
      numPendingTests: sum('numPendingTests'),
      numTotalTestSuites: sum('numTotalTestSuites'),
      numFailedTestSuites: sum('numFailedTestSuites'),
      testResults: parts.flatMap((part) => part?.testResults ?? []),
    }),
  );
}
process.exit(parallel !== 0 ? parallel : serial);
