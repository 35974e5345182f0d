/**
 * What an upgrade changes on purpose, named so the upgrade test (test/upgrade.e2e-spec.ts) can
 * tell it from a loss. The README's "Upgrading" section says the same for operators; change both
 * together. Anything not named here must come through an upgrade untouched: every row of every
 * table, and every field of every read.
 */

/** Tables and columns a migration drops on purpose, by the migration that drops them. */
export const INTENDED_DROPS: Record<string, { tables?: Record<string, string>; columns?: Record<string, string> }> = {
  AnalyticsRollup1764029700000: {
    tables: {
      analytics_day_members: 'per-member analytics rows: no analytics table holds a member id any more',
      analytics_periods: 'distinct members per week/month: now counted from per-day HyperLogLog sketches',
      analytics_period_members: 'per-member analytics rows: no analytics table holds a member id any more',
      analytics_member_last_days: 'per-member analytics rows: no analytics table holds a member id any more',
      analytics_last_day_counts: 'distinct members per window: now counted from per-day HyperLogLog sketches',
    },
    columns: {
      'analytics_days.members': 'distinct members per day: now a per-day HyperLogLog sketch (analytics_day_sketches)',
    },
  },
};

/**
 * Schema differences a database keeps after the upgrade, for fixtures made before `until`:
 * `statement` matches what `migration:generate` would still write for it. Each is a released
 * migration that was edited afterwards, so databases that ran the first version keep it.
 */
export const KNOWN_SCHEMA_DRIFT: Array<{ until: string; statement: RegExp; why: string }> = [
  {
    until: 'CreateCalls1764028900000',
    // SQLite rebuilds the table (temporary_users) to change it; MariaDB renames the index.
    statement: /^(CREATE TABLE "temporary_users"|INSERT INTO "temporary_users"|DROP TABLE "users"|ALTER TABLE "temporary_users" RENAME TO "users"|CREATE UNIQUE INDEX "UQ_users_oto_number" ON "users"|DROP INDEX `UQ_[0-9a-f]+` ON `users`|ALTER TABLE `users` ADD UNIQUE INDEX `IDX_[0-9a-f]+` \(`oto_number`\)|CREATE UNIQUE INDEX `UQ_users_oto_number` ON `users`)/,
    why:
      'users from the first release (9004612): CreateUsers was edited in the next one (c34d406), so those databases keep an unnamed unique ' +
      'constraint on oto_number (and, on SQLite, an `int` rather than `integer` id): the same rule under another name, no row affected',
  },
];

/**
 * Reads whose definition a release changed on purpose, for fixtures made before `until` (the
 * first migration of the release that changed it) was released. `path` matches the recorded read
 * (path and query). Each says what the old answer means now, so the comparison stays exact:
 * `request` asks the current API for the old meaning (a query parameter that did not exist
 * yet), `expect` turns the old body into what the current answer must hold.
 */
export interface IntendedReadChange {
  until: string;
  path: RegExp;
  why: string;
  request?: (path: string) => string;
  expect?: (was: unknown) => unknown;
}

type Day = Record<string, unknown>;
type Report = { dailyStats: Day[]; summary: Day };

/** The old per-bucket and summary member counts, under their new names; the new participant counts are not compared. */
function participantsAreUniqueMembers(was: unknown): unknown {
  const report = was as Report;
  const rename = (row: Day, from: string, to: string): Day => {
    const { [from]: value, ...rest } = row;
    return { ...rest, [to]: value };
  };
  return {
    ...report,
    dailyStats: report.dailyStats.map((day) => rename(day, 'total_participants', 'unique_members')),
    summary: rename(report.summary, 'totalParticipants', 'uniqueMembers'),
  };
}

export const INTENDED_READ_CHANGES: IntendedReadChange[] = [
  {
    until: 'AnalyticsRollup1764029700000',
    path: /^\/calling\/admin\/analytics\?/,
    why:
      'analytics: `total_participants` (and `summary.totalParticipants`) counted distinct members; since the rollup release it counts participants ' +
      '(first sessions per call), and distinct members are `unique_members` / `summary.uniqueMembers`',
    expect: participantsAreUniqueMembers,
  },
  {
    until: 'HostControls1764029800000',
    path: /^\/calling\/my-calls(\?|$)/,
    why: 'my-calls: since the host-controls release it also lists every live public call (`scope=all`, the default); `scope=mine` is the old list',
    request: (path) => `${path}${path.includes('?') ? '&' : '?'}scope=mine`,
  },
];
