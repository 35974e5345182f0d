/**
 * `describe` for tests that need something the machine may lack (Chromium, MariaDB's programs):
 * run when `missing` is null or under CI=true (where a missing requirement must fail the run, not
 * hide it), else `describe.skip` with one line on stderr saying what is missing and how to get it.
 */
export function describeNeeding(name: string, missing: string | null, tests: () => void): void {
  if (missing !== null && process.env.CI !== 'true') {
    process.stderr.write(`\n${name}: SKIPPED, ${missing}\n\n`);
    describe.skip(name, tests);
    return;
  }
  describe(name, tests);
}
