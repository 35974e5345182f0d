import { useState } from 'preact/hooks';
import { AdminOverviewDto, answer, api, calling } from '../api';
import { Chart } from '../chart';
import { dateTime, number } from '../format';
import { usePoll } from '../poll';
import { Link } from '../router';
import { Problem, StatusBadge } from './common';

/** GET /api/calling/admin/overview: what is happening now. */
export type Overview = AdminOverviewDto;

/** The tiles, each read from one overview field. */
export const TILES: Array<{ id: keyof Overview & string; label: string; digits?: number }> = [
  { id: 'active_calls', label: 'Calls active' },
  { id: 'paused_calls', label: 'Calls paused' },
  { id: 'participants_now', label: 'Participants now' },
  { id: 'joins_last_hour', label: 'Joins, last hour' },
  { id: 'token_sessions_last_hour', label: 'Sessions given a token, last hour' },
  { id: 'audio_minutes_today', label: 'Audio minutes today (UTC)', digits: 2 },
  { id: 'video_minutes_today', label: 'Video minutes today (UTC)', digits: 2 },
];

const REFRESH_MS = 10_000;
const DAYS = [7, 14, 30, 90, 180, 365];
const GROUPS = ['day', 'week', 'month'] as const;

export function OverviewPage() {
  const [days, setDays] = useState(30);
  const [groupBy, setGroupBy] = useState<(typeof GROUPS)[number]>('day');
  const overview = usePoll(() => answer(calling.getOverview({ client: api })), 'overview', REFRESH_MS);
  const analytics = usePoll(() => answer(calling.getAnalytics({ client: api, query: { days, groupBy } })), `analytics-${days}-${groupBy}`, REFRESH_MS);
  const buckets = analytics.data?.dailyStats ?? [];
  const dates = buckets.map((b) => b.date);

  return (
    <main>
      <h1>Overview</h1>
      <section aria-labelledby="now-title">
        <h2 id="now-title">
          Now <small class="muted">(refreshed every 10 s{overview.data ? `; read ${dateTime(overview.data.generated_at)}` : ''})</small>
        </h2>
        <Problem error={overview.error} />
        <ul class="tiles" aria-busy={overview.loading && !overview.data}>
          {TILES.map((tile) => (
            <li class="tile" key={tile.id}>
              <span class="tile-label" id={`tile-${tile.id}-label`}>
                {tile.label}
              </span>
              <span class="tile-value" data-tile={tile.id} aria-labelledby={`tile-${tile.id}-label`}>
                {overview.data ? number(overview.data[tile.id] as number, tile.digits) : '…'}
              </span>
            </li>
          ))}
        </ul>
        <h3>Busiest live calls</h3>
        {overview.data && overview.data.busiest_calls.length === 0 && <p class="muted">No call is live.</p>}
        {overview.data && overview.data.busiest_calls.length > 0 && (
          <div class="table-wrap">
            <table class="top-calls">
              <thead>
                <tr>
                  <th scope="col">Call</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Now / peak / max
                  </th>
                  <th scope="col" class="wide-only">
                    Created
                  </th>
                </tr>
              </thead>
              <tbody>
                {overview.data.busiest_calls.map((call) => (
                  <tr key={call.id}>
                    <td>
                      <Link href={`/calls/${call.id}`}>
                        #{call.id} {call.title}
                      </Link>
                    </td>
                    <td>
                      <StatusBadge status={call.status} />
                    </td>
                    <td class="num">
                      {call.participants} / {call.peak_participants} / {call.max_participants}
                    </td>
                    <td class="wide-only">{dateTime(call.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="trends-title">
        <h2 id="trends-title">Trends</h2>
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Days
            <select value={days} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}>
              {DAYS.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
          <label>
            Group by
            <select value={groupBy} onChange={(e) => setGroupBy((e.target as HTMLSelectElement).value as (typeof GROUPS)[number])}>
              {GROUPS.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
        </form>
        <Problem error={analytics.error} />
        {analytics.data && (
          <div class="charts">
            <Chart id="calls" title="Calls per bucket" dates={dates} series={[{ label: 'Calls', values: buckets.map((b) => b.total_calls), color: '#1f5f8b', bars: true }]} />
            <Chart
              id="minutes"
              title="Audio and video minutes (stacked)"
              unit="min"
              dates={dates}
              series={[
                { label: 'Audio', values: buckets.map((b) => b.audio_minutes), color: '#2a9d8f' },
                { label: 'Video', values: buckets.map((b) => b.video_minutes), color: '#e76f51', stacked: true },
              ]}
            />
            <Chart
              id="participants"
              title="Participants and unique members"
              dates={dates}
              series={[
                { label: 'Participants', values: buckets.map((b) => b.total_participants), color: '#6a4c93' },
                { label: 'Unique members', values: buckets.map((b) => b.unique_members), color: '#f4a261' },
              ]}
            />
            <Chart id="peak" title="Peak participants in one call" dates={dates} series={[{ label: 'Peak', values: buckets.map((b) => b.peak_participants), color: '#264653' }]} />
          </div>
        )}
      </section>
    </main>
  );
}
