/**
 * How the bench builds before it measures: `node scripts/build-if-stale.js` in the repository root,
 * the rule `npm start` uses. It builds the service and the dashboard when missing or older than
 * their sources, and leaves dist/ whole (test/build.e2e-spec.ts runs it).
 */
export const BUILD_ARGS: readonly string[] = ['scripts/build-if-stale.js'];
