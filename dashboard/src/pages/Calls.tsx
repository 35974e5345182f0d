import { useState } from 'preact/hooks';
import { answer, api, calling, defined } from '../api';
import { dateTime, schedule } from '../format';
import { usePoll } from '../poll';
import { Link, navigate } from '../router';
import { Problem, StatusBadge } from './common';

interface Filters {
  status: string;
  from: string;
  to: string;
  q: string;
  limit: number;
}

const EMPTY: Filters = { status: '', from: '', to: '', q: '', limit: 25 };

/** Date inputs (UTC days, both included) as the API's range: `from` at 00:00, `to` exclusive at the next day's 00:00. */
function rangeParams(filters: Filters) {
  return {
    status: (filters.status || undefined) as 'active' | 'paused' | 'ended' | undefined,
    from: filters.from ? `${filters.from}T00:00:00.000Z` : '',
    to: filters.to ? new Date(Date.parse(`${filters.to}T00:00:00.000Z`) + 86_400_000).toISOString() : '',
    q: filters.q.trim(),
    limit: filters.limit,
  };
}

/**
 * The calls, newest first, paged by the API's keyset cursor. Previous pages are the cursors
 * already followed (a stack), so going back shows the same rows even while calls are created.
 */
export function CallsListPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1];
  const params = defined({ ...rangeParams(filters), cursor: cursor ?? undefined });
  const page = usePoll(() => answer(calling.listCalls({ client: api, query: params })), `calls-${JSON.stringify(params)}`, null);
  const set = (field: keyof Filters) => (event: Event) => {
    const value = (event.target as HTMLInputElement).value;
    setDraft({ ...draft, [field]: field === 'limit' ? Number(value) : value });
  };

  const apply = (event: Event) => {
    event.preventDefault();
    setFilters(draft);
    setCursors([null]);
  };

  return (
    <main>
      <h1>Calls</h1>
      <form class="filters" onSubmit={apply} role="search" aria-label="Filter calls">
        <label>
          Status
          <select name="status" value={draft.status} onChange={set('status')}>
            <option value="">any</option>
            <option value="active">active</option>
            <option value="paused">paused</option>
            <option value="ended">ended</option>
          </select>
        </label>
        <label>
          From (UTC)
          <input type="date" name="from" value={draft.from} onInput={set('from')} />
        </label>
        <label>
          To (UTC)
          <input type="date" name="to" value={draft.to} onInput={set('to')} />
        </label>
        <label class="grow">
          Title or OTO#
          <input type="search" name="q" value={draft.q} placeholder="Town hall, OTO#K7Q2ZD" onInput={set('q')} />
        </label>
        <label>
          Per page
          <select name="limit" value={draft.limit} onChange={set('limit')}>
            {[10, 25, 50, 100, 200].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      <Problem error={page.error} />
      <div class="table-wrap">
        <table class="calls" aria-busy={page.loading}>
          <caption class="muted">
            Page {cursors.length}
            {page.data ? `: ${page.data.calls.length} call${page.data.calls.length === 1 ? '' : 's'}` : ''}. Select a row to open the call.
          </caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                Id
              </th>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Creator</th>
              <th scope="col" class="num">
                Now / peak / max
              </th>
              <th scope="col">Public</th>
              <th scope="col">Created</th>
              <th scope="col">Schedule</th>
              <th scope="col">Ended</th>
            </tr>
          </thead>
          <tbody>
            {page.data?.calls.map((call) => (
              <tr key={call.id} class="clickable" data-call-id={call.id} onClick={(e) => (e.target as HTMLElement).closest('a') || navigate(`/calls/${call.id}`)}>
                <td class="num">{call.id}</td>
                <td>
                  <Link href={`/calls/${call.id}`}>{call.title}</Link>
                </td>
                <td>
                  <StatusBadge status={call.status} />
                </td>
                <td>
                  <code>{call.creator_oto_number ?? `user ${call.creator_id}`}</code>
                </td>
                <td class="num">
                  {call.participant_count} / {call.peak_participants} / {call.max_participants}
                </td>
                <td>{call.is_public ? 'yes' : 'no'}</td>
                <td>{dateTime(call.created_at)}</td>
                <td data-schedule>{schedule(call.starts_at, call.ends_at)}</td>
                <td>{call.ended_at ? `${dateTime(call.ended_at)}${call.ended_by ? ` (${call.ended_by})` : ''}` : '—'}</td>
              </tr>
            ))}
            {page.data && page.data.calls.length === 0 && (
              <tr>
                <td colSpan={9} class="muted">
                  No call matches.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Previous
        </button>
        <span aria-live="polite">Page {cursors.length}</span>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}>
          Next →
        </button>
      </nav>
    </main>
  );
}
