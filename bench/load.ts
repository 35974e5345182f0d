/**
 * The load generator: one autocannon run (a warm-up, then the measurement) in a process of its
 * own, so it never shares an event loop with the bench or with the server it measures.
 *
 *   node load.js <spec.json>      (run.ts transpiles this file to plain JS first)
 *
 * Reads a LoadSpec (bench/lib/load-spec.ts), writes a LoadResult as JSON to spec.outFile and
 * exits 0; exits 1 when autocannon itself fails. bench/run.ts starts it; not meant for hand use.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { JoinLeaveItem, LoadResult, LoadSpec, OnceItem, RotateItem } from './lib/load-spec';

// autocannon ships no type declarations: the part of its API used here.
type Context = Record<string, unknown>;
interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AcRequest, context: Context) => AcRequest | null;
  onResponse?: (status: number, body: string, context: Context) => void;
}
interface AcClient {
  setRequests(requests: AcRequest[]): void;
}
interface AcOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  timeout?: number;
  requests?: AcRequest[];
  setupClient?: (client: AcClient) => void;
}
interface AcResult {
  duration: number;
  requests: { total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
/** The run: a promise of the result, and an emitter of every response with its time in ms. */
type AcInstance = Promise<AcResult> & {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, responseTimeMs: number) => void): void;
};
const autocannon = require('autocannon') as (options: AcOptions) => AcInstance;

/**
 * Latency percentiles from every response time as measured (fractional ms); autocannon's own
 * histogram keeps whole milliseconds, too coarse for the fast routes. Nearest-rank method.
 */
function percentiles(times: number[]): LoadResult['latencyMs'] {
  const sorted = Float64Array.from(times).sort();
  const at = (p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] : NaN);
  const r = (v: number): number => Math.round(v * 100) / 100;
  const mean = sorted.length ? sorted.reduce((sum, v) => sum + v, 0) / sorted.length : NaN;
  return { p50: r(at(0.5)), p90: r(at(0.9)), p99: r(at(0.99)), max: r(at(1)), mean: r(mean) };
}

/** Per-run tallies, filled by the onResponse hooks. */
class Tally {
  statuses: Record<string, number> = {};
  unexpected = 0;
  unexpectedSamples: string[] = [];
  joins = 0;
  callFull = 0;
  leaves = 0;
  failedLeaves = 0;
  cycles = 0;

  /** Counts a response; returns the body's error code for non-2xx answers. */
  record(status: number, body: string, expected: (status: number, code: string | undefined) => boolean): string | undefined {
    let code: string | undefined;
    let key = String(status);
    if (status < 200 || status > 299) {
      try {
        code = (JSON.parse(body) as { code?: string }).code;
      } catch {
        code = undefined;
      }
      key = `${status} ${code ?? '-'}`;
      if (!expected(status, code)) {
        this.unexpected += 1;
        if (this.unexpectedSamples.length < 5) this.unexpectedSamples.push(`${status} ${body.slice(0, 300)}`);
      }
    }
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    return code;
  }
}

const NONE_EXPECTED = (): boolean => false;

/** Rotation: connection k cycles through items k, k+C, k+2C, ... (requests built once). */
function rotation(spec: Extract<LoadSpec, { kind: 'rotate' }>, tally: () => Tally): Pick<AcOptions, 'requests' | 'setupClient'> {
  const toRequest = (item: RotateItem): AcRequest => ({
    method: spec.method,
    path: item.path,
    headers: item.body === undefined ? { authorization: item.authorization } : { authorization: item.authorization, 'content-type': 'application/json' },
    body: item.body,
    onResponse: (status, body) => void tally().record(status, body, NONE_EXPECTED),
  });
  const shares: AcRequest[][] = Array.from({ length: spec.connections }, () => []);
  spec.items.forEach((item, index) => shares[index % spec.connections].push(toRequest(item)));
  let next = 0;
  return {
    // autocannon needs a first request to exist before setupClient replaces the list.
    requests: [shares[0][0]],
    setupClient: (client) => {
      const share = shares[next % shares.length];
      next += 1;
      client.setRequests(share.length > 0 ? share : shares[0]);
    },
  };
}

/** How often a failed leave is tried again before the member is given up (left in the call). */
const LEAVE_RETRIES = 3;

/**
 * Join then leave, members taken from one shared cursor. A refused join skips its leave; a
 * leave that fails (an unexpected error, counted as such) is tried again up to LEAVE_RETRIES
 * times, as a client would, so one failure does not hold a slot for the rest of the run.
 */
function joinLeave(items: JoinLeaveItem[], tally: () => Tally): Pick<AcOptions, 'requests'> {
  let cursor = 0;
  const leave: AcRequest = {
    method: 'POST',
    setupRequest: (request, context) => {
      // Nothing (more) to leave: start over with the next member (autocannon restarts the list).
      if (!context.joined || context.left) return null;
      const item = context.item as JoinLeaveItem;
      return { ...request, path: `/api/calling/${item.callId}/leave`, headers: { authorization: item.authorization }, body: undefined };
    },
    onResponse: (status, body, context) => {
      const t = tally();
      t.record(status, body, NONE_EXPECTED);
      if (status === 200) {
        context.left = true;
        t.leaves += 1;
        t.cycles += 1;
      } else {
        t.failedLeaves += 1;
      }
    },
  };
  return {
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          const item = items[cursor % items.length];
          cursor += 1;
          context.item = item;
          return {
            ...request,
            path: `/api/calling/${item.callId}/join`,
            headers: { authorization: item.authorization, 'content-type': 'application/json' },
            body: '{}',
          };
        },
        onResponse: (status, body, context) => {
          const t = tally();
          const code = t.record(status, body, (s, c) => s === 400 && c === 'CALL_FULL');
          if (status === 200) {
            t.joins += 1;
            context.joined = true;
          } else if (code === 'CALL_FULL') {
            t.callFull += 1;
          }
        },
      },
      ...Array.from({ length: 1 + LEAVE_RETRIES }, () => ({ ...leave })),
    ],
  };
}

/**
 * Each item once, over the connections given to its instance: one autocannon run per instance
 * (started together), each taking its items from its own cursor until they are all sent.
 */
async function once(spec: Extract<LoadSpec, { kind: 'once' }>, tally: Tally, times: number[], captured: Record<number, unknown>): Promise<{ durationSec: number; errors: number; timeouts: number }> {
  const expected = new Set(spec.expectedCodes ?? []);
  const indexed = spec.items.map((item, index) => ({ ...item, index }));
  const perTarget: Array<Array<OnceItem & { index: number }>> = spec.urls.map((_, i) => indexed.filter((item) => item.target === i));
  // From the first request sent to the last answer: autocannon ends an `amount` run on its next
  // one-second tick, which would add up to a second to a short run.
  let firstSentAt = Infinity;
  let lastAnsweredAt = -Infinity;
  const results = await Promise.all(
    perTarget.map((items, i) => {
      if (items.length === 0) return undefined;
      let cursor = 0;
      const run = autocannon({
        url: spec.urls[i],
        connections: Math.max(1, Math.min(items.length, Math.round(spec.connections / spec.urls.length))),
        amount: items.length,
        timeout: 30,
        requests: [
          {
            setupRequest: (request, context) => {
              const item = items[cursor];
              cursor += 1;
              if (!item) return null;
              context.index = item.index;
              const headers: Record<string, string> = { authorization: item.authorization };
              if (item.body !== undefined) headers['content-type'] = 'application/json';
              return { ...request, method: item.method, path: item.path, headers, body: item.body };
            },
            onResponse: (status, body, context) => {
              tally.record(status, body, (_s, code) => code !== undefined && expected.has(code));
              if (spec.capture && status >= 200 && status < 300) captured[context.index as number] = (JSON.parse(body) as Record<string, unknown>)[spec.capture];
            },
          },
        ],
      });
      run.on('response', (_client, _status, _bytes, ms) => {
        const now = performance.now();
        times.push(ms);
        if (now - ms < firstSentAt) firstSentAt = now - ms;
        if (now > lastAnsweredAt) lastAnsweredAt = now;
      });
      return run;
    }),
  );
  const done = results.filter((r): r is AcResult => r !== undefined);
  return { durationSec: times.length > 0 ? (lastAnsweredAt - firstSentAt) / 1000 : 0, errors: done.reduce((n, r) => n + r.errors, 0), timeouts: done.reduce((n, r) => n + r.timeouts, 0) };
}

/** Linux's USER_HZ, 100 on every architecture Node runs on. */
const CLOCK_TICKS = 100;

/** User + system CPU seconds of a process so far (Linux /proc; undefined elsewhere). */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state is field 3, utime 14, stime 15 (in clock ticks).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadSpec;
  if (spec.kind === 'once') return runOnce(spec);
  let tally = new Tally();
  const current = (): Tally => tally;
  const shape = spec.kind === 'rotate' ? rotation(spec, current) : joinLeave(spec.items, current);
  const base = { url: spec.url, connections: spec.connections, timeout: 30, ...shape };

  if (spec.warmup.amount || spec.warmup.durationSec) {
    const warm = spec.warmup.amount ? { amount: Math.max(spec.warmup.amount, spec.connections) } : { duration: spec.warmup.durationSec };
    await autocannon({ ...base, ...warm });
  }
  tally = new Tally();
  const times: number[] = [];
  const cpuBefore = cpuSeconds(spec.serverPid);
  const run = autocannon({ ...base, duration: spec.durationSec });
  run.on('response', (_client, _status, _bytes, ms) => void times.push(ms));
  const result = await run;
  const cpuAfter = cpuSeconds(spec.serverPid);

  const out: LoadResult = {
    durationSec: result.duration,
    connections: spec.connections,
    requests: times.length,
    reqPerSec: times.length / result.duration,
    latencyMs: percentiles(times),
    socketErrors: result.errors,
    timeouts: result.timeouts,
    statuses: tally.statuses,
    unexpected: tally.unexpected,
    unexpectedSamples: tally.unexpectedSamples,
  };
  if (cpuBefore !== undefined && cpuAfter !== undefined && times.length > 0) {
    const seconds = cpuAfter - cpuBefore;
    out.serverCpu = { seconds, usPerRequest: Math.round((seconds * 1e6) / times.length), cores: Math.round((seconds / result.duration) * 100) / 100 };
  }
  if (spec.kind === 'join-leave') {
    out.joinLeave = { cycles: tally.cycles, cyclesPerSec: tally.cycles / result.duration, joins: tally.joins, callFull: tally.callFull, leaves: tally.leaves, failedLeaves: tally.failedLeaves };
  }
  writeFileSync(spec.outFile, JSON.stringify(out));
}

/** kind `once`: no warm-up (every item is a first), the servers' and watched processes' CPU over the run. */
async function runOnce(spec: Extract<LoadSpec, { kind: 'once' }>): Promise<void> {
  const tally = new Tally();
  const times: number[] = [];
  const captured: Record<number, unknown> = {};
  const watched = { ...(spec.watchPids ?? {}) };
  const before = Object.fromEntries(Object.entries(watched).map(([label, pid]) => [label, cpuSeconds(pid)]));
  const result = await once(spec, tally, times, captured);
  const cpu: Record<string, number> = {};
  for (const [label, pid] of Object.entries(watched)) {
    const after = cpuSeconds(pid);
    if (after !== undefined && before[label] !== undefined) cpu[label] = Math.round((after - before[label]!) * 100) / 100;
  }
  const out: LoadResult = {
    durationSec: result.durationSec,
    connections: spec.connections,
    requests: times.length,
    reqPerSec: times.length / result.durationSec,
    latencyMs: percentiles(times),
    socketErrors: result.errors,
    timeouts: result.timeouts,
    statuses: tally.statuses,
    unexpected: tally.unexpected,
    unexpectedSamples: tally.unexpectedSamples,
    cpu,
    ...(spec.capture ? { captured } : {}),
  };
  writeFileSync(spec.outFile, JSON.stringify(out));
}

main().catch((error: unknown) => {
  console.error(`load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
