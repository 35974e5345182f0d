/**
 * Traces (issue 22, section 6): the real entry point (`node src/main.ts`) as a child process,
 * since instrumentations patch modules as they are required and Jest's module registry is not
 * Node's. With OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP/HTTP receiver, requests give
 * one trace each: the route span named by its template, a span per SQL statement (no values), the
 * outgoing Agora call (a fake Agora), on MariaDB a Redis span (the run uses Redis there; the SQLite
 * run has no Redis, so `npm test` needs nothing but Node); a webhook delivery is a job trace. No
 * attribute, span name, event or status anywhere carries a member's identity, and a request's log
 * line carries its trace id. Unset, neither the SDK nor an instrumentation is loaded.
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import { baseChildEnv, freePort, runTsNode, RunningChild, startTsNode } from './support/child-process';
import { signToken, ikootaClaims } from './support/jwt';
import { OtlpReceiver, ReceivedSpan, SPAN_KIND } from './support/otlp-receiver';
import { createTestDatabase, usingMysql } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WEBHOOK_SECRET = 'trace-test-webhook-secret';

// Identities chosen so that a hit cannot be a coincidence (no port, status or id looks like them).
const HOST = { id: 739251, oto: 'OTO#HQ7T01' };
const MEMBER = { id: 739252, oto: 'OTO#K7Q2ZD' };
const hostToken = signToken(ikootaClaims(HOST.id, 'member', 'user', { converse_id: HOST.oto }));
const memberToken = signToken(ikootaClaims(MEMBER.id, 'member', 'user', { converse_id: MEMBER.oto }));
const TITLE = 'Traced-title-9f3e';
const WEBHOOK_QUERY_SECRET = 'hook-query-secret-51c';

/** A stand-in for Agora's REST API: every request answers success, POSTs with a rule id. */
async function fakeAgora(): Promise<{ server: Server; url: string; port: number; requests: string[] }> {
  const requests: string[] = [];
  let nextId = 9000;
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', ...(req.method === 'POST' ? { id: (nextId += 1) } : {}) }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { server, url: `http://127.0.0.1:${port}`, port, requests };
}

async function waitForHealth(running: RunningChild, port: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) break;
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) })
      .then((res) => res.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the service never became healthy.\nstdout:\n${running.stdout}\nstderr:\n${running.stderr}`);
}

/** Every string a span carries: its name, attribute keys and values, events, links, status. */
function stringsOf(span: ReceivedSpan): string[] {
  const out: string[] = [span.name, span.status.message];
  const walk = (value: unknown): void => {
    if (value === null || value === undefined) return;
    if (Buffer.isBuffer(value)) out.push(value.toString('utf8'));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        out.push(key);
        walk(inner);
      }
    }
    else out.push(String(value));
  };
  walk(span.attributes);
  walk(span.events);
  walk(span.links);
  walk(span.resource);
  return out;
}

/** The chain of parents from a span up to its trace's root, which must all have arrived. */
function rootOf(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan {
  let current = span;
  for (let hops = 0; current.parentSpanId !== ''; hops += 1) {
    const parent = trace.find((candidate) => candidate.spanId === current.parentSpanId);
    if (!parent || hops > 50) throw new Error(`span ${current.name} has a parent that never arrived`);
    current = parent;
  }
  return current;
}

describe(`traces over OTLP/HTTP from node src/main.ts (${usingMysql ? 'MariaDB, with Redis' : 'SQLite, no Redis'})`, () => {
  const receiver = new OtlpReceiver();
  const webhooks = new WebhookReceiver(WEBHOOK_SECRET);
  let agora: Awaited<ReturnType<typeof fakeAgora>>;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let service: RunningChild;
  let port: number;
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  let webhookUrl: string;
  let terminatedAt: number;
  const seen: { callId?: number; ticket?: string } = {};

  const api = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`http://127.0.0.1:${port}/api/calling${path}`, {
      ...init,
      headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
    });

  beforeAll(async () => {
    const endpoint = await receiver.start();
    webhookUrl = await webhooks.start();
    agora = await fakeAgora();
    database = await createTestDatabase();
    port = await freePort();
    service = startTsNode(
      'src/main.ts',
      [],
      baseChildEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        PORT: String(port),
        DATABASE_URL: database.url,
        AGORA_HEALTH_URL: 'off',
        AGORA_CUSTOMER_ID: 'customer-id',
        AGORA_CUSTOMER_SECRET: 'customer-secret',
        AGORA_API_BASE_URL: agora.url,
        EVENTS_WEBHOOK_URL: `${webhookUrl}?key=${WEBHOOK_QUERY_SECRET}`,
        EVENTS_WEBHOOK_SECRET: WEBHOOK_SECRET,
        EVENTS_DELIVERY_INTERVAL_MS: '200',
        JOBS_ENABLED: 'true',
        REDIS_URL: usingMysql ? REDIS_URL : undefined,
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        // Nothing is exported on a timer during the test: what arrives was flushed at shutdown
        // (or when a batch filled up), so the test also shows that SIGTERM loses no span.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      }),
    );
    await waitForHealth(service, port);

    const created = await api('/create', { method: 'POST', token: hostToken, body: JSON.stringify({ title: TITLE, isPublic: true }) });
    expect(created.status).toBe(201);
    seen.callId = ((await created.json()) as { callId: number }).callId;
    expect((await api(`/${seen.callId}/join`, { method: 'POST', token: memberToken })).status).toBe(200);
    const muted = await api(`/${seen.callId}/participants/${encodeURIComponent(MEMBER.oto)}/mute`, { method: 'POST', token: hostToken, body: JSON.stringify({ audio: true }) });
    expect(await muted.json()).toMatchObject({ oto_number: MEMBER.oto, agoraMute: 'applied' });
    expect((await api('/my-calls?scope=mine&limit=7', { token: memberToken })).status).toBe(200);
    // An event stream opened with a ticket in its URL, then closed.
    seen.ticket = ((await (await api('/events/ticket', { method: 'POST', token: memberToken })).json()) as { ticket: string }).ticket;
    const stream = new AbortController();
    const opened = await fetch(`http://127.0.0.1:${port}/api/calling/events?ticket=${encodeURIComponent(seen.ticket)}`, { signal: stream.signal });
    expect(opened.status).toBe(200);
    stream.abort();
    // The delivery job POSTs the call's events to the webhook receiver.
    await webhooks.arrived(3, 60_000);

    const stopped = service.exited;
    terminatedAt = Date.now();
    service.child.kill('SIGTERM');
    exit = await stopped;
  }, 300_000);

  afterAll(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await receiver.stop();
    await webhooks.stop();
    await new Promise((resolve) => agora?.server.close(resolve));
    await database?.drop();
  });

  const serverSpan = (route: string) => {
    const spans = receiver.spans.filter((span) => span.kind === SPAN_KIND.SERVER && span.attributes['http.route'] === route);
    expect(spans).toHaveLength(1);
    return spans[0];
  };

  it('stops cleanly on SIGTERM, having exported its spans as OTLP protobuf, service.name ikoota-calling-api', () => {
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(receiver.paths.length).toBeGreaterThan(0);
    // The batch timer never fired (10 minutes): the last spans were flushed on the way out.
    expect(receiver.arrivals.some((at) => at >= terminatedAt)).toBe(true);
    expect(new Set(receiver.paths)).toEqual(new Set(['POST /v1/traces application/x-protobuf']));
    expect(receiver.spans[0].resource['service.name']).toBe('ikoota-calling-api');
  });

  it('a request is one trace: the route span named by its template, SQL spans under it, the Agora call', () => {
    const route = '/api/calling/:callId/participants/:member/mute';
    const root = serverSpan(route);
    expect(root).toMatchObject({ name: `POST ${route}`, parentSpanId: '' });
    expect(root.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200, 'calling.call_id': seen.callId });
    const trace = receiver.trace(root.traceId);
    // One root, and every span's parents arrived.
    for (const span of trace) expect(rootOf(span, trace).spanId).toBe(root.spanId);
    expect(trace.filter((span) => span.kind === SPAN_KIND.SERVER)).toHaveLength(1);

    const sql = trace.filter((span) => span.attributes['db.system.name'] === (usingMysql ? 'mysql' : 'sqlite'));
    expect(sql.length).toBeGreaterThanOrEqual(3);
    expect(sql.map((span) => span.name)).toEqual(expect.arrayContaining(['SELECT', 'UPDATE']));
    for (const span of sql) {
      expect(span.kind).toBe(SPAN_KIND.CLIENT);
      // Named by the statement's first word (also when the statement starts on a new line).
      expect(span.name).toMatch(/^[A-Za-z]+$/);
      expect(typeof span.attributes['db.query.text']).toBe('string');
    }
    expect(sql.some((span) => String(span.attributes['db.query.text']).includes('?'))).toBe(true);

    const agoraCalls = trace.filter((span) => span.kind === SPAN_KIND.CLIENT && span.attributes['server.port'] === agora.port);
    expect(agoraCalls).toHaveLength(1);
    expect(agoraCalls[0]).toMatchObject({ name: 'POST', attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200, 'server.address': '127.0.0.1' } });
    expect(agora.requests).toEqual(['POST /dev/v1/kicking-rule']);
  });

  (usingMysql ? it : it.skip)('on MariaDB with Redis, the rate limiter and event publishing show as Redis spans in the request', () => {
    const join = serverSpan('/api/calling/:callId/join');
    const redis = receiver.trace(join.traceId).filter((span) => span.attributes['db.system.name'] === 'redis');
    expect(redis.length).toBeGreaterThanOrEqual(1);
    for (const span of redis) expect(span.attributes['db.query.text']).toBe(span.name);
  });

  it('no SQL statement carries a value: the text as prepared, no quoted literal, no id, title or OTO#', () => {
    const statements = receiver.spans.map((span) => span.attributes['db.query.text']).filter((text) => typeof text === 'string' && /^\s*(SELECT|INSERT|UPDATE|DELETE)/i.test(text as string)) as string[];
    expect(statements.length).toBeGreaterThan(10);
    for (const text of statements) expect(text).not.toMatch(/'[^']*'/);
    expect(statements.filter((text) => /INSERT INTO [`"]?calls[`"]?/.test(text))).not.toHaveLength(0);
  });

  it('no member identity anywhere: not in a span name, attribute, event, link or status, nor in the bytes sent', () => {
    const secrets = [
      MEMBER.oto,
      encodeURIComponent(MEMBER.oto),
      'K7Q2ZD',
      HOST.oto,
      'HQ7T01',
      String(MEMBER.id),
      String(HOST.id),
      hostToken,
      memberToken,
      hostToken.split('.')[1],
      memberToken.split('.')[2],
      `real-name-${MEMBER.id}`,
      `person${MEMBER.id}@example.org`,
      seen.ticket!,
      WEBHOOK_QUERY_SECRET,
      TITLE,
      'scope=mine',
      'limit=7',
    ];
    expect(receiver.spans.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const span of receiver.spans) {
      for (const value of stringsOf(span)) for (const secret of secrets) if (value.includes(secret)) leaks.push(`${span.name}: ${secret} in ${value}`);
    }
    for (const body of receiver.bodies) for (const secret of secrets) if (body.includes(secret)) leaks.push(`raw export body: ${secret}`);
    expect(leaks).toEqual([]);
    // The attributes that would carry them are not exported at all.
    const keys = new Set(receiver.spans.flatMap((span) => Object.keys(span.attributes)));
    for (const key of ['url.full', 'url.path', 'url.query', 'http.target', 'http.url', 'client.address', 'user_agent.original']) expect(keys).not.toContain(key);
    expect([...keys].filter((key) => key.startsWith('http.request.header') || key.startsWith('http.response.header'))).toEqual([]);
    // The stream was traced too, by its template, without its ticket.
    expect(serverSpan('/api/calling/events').name).toBe('GET /api/calling/events');
  });

  it("a request's log line carries its trace id and span id", () => {
    const root = serverSpan('/api/calling/:callId/participants/:member/mute');
    const lines = service.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const line = lines.find((entry) => entry.msg === 'request' && entry.route === '/api/calling/:callId/participants/:member/mute');
    expect(line).toMatchObject({ trace_id: root.traceId, span_id: root.spanId, status: 200 });
    // Outside a request (start-up, health checks, which are not traced) a line has no trace fields.
    const health = lines.find((entry) => entry.msg === 'request' && entry.route === '/api/health');
    expect(health).toBeDefined();
    expect(health).not.toHaveProperty('trace_id');
    expect(receiver.spans.some((span) => span.attributes['http.route'] === '/api/health')).toBe(false);
  });

  it('a webhook delivery is a trace of the events-delivery job: its SQL and the POST to the receiver', () => {
    const posts = receiver.spans.filter((span) => span.kind === SPAN_KIND.CLIENT && span.attributes['server.port'] === Number(new URL(webhookUrl).port));
    expect(posts.length).toBeGreaterThanOrEqual(1);
    const trace = receiver.trace(posts[0].traceId);
    expect(rootOf(posts[0], trace)).toMatchObject({ name: 'job events-delivery', kind: SPAN_KIND.INTERNAL });
    expect(posts[0].attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200 });
    expect(trace.some((span) => span.attributes['db.query.text'] !== undefined)).toBe(true);
  });

  it('exports no stray client span: every statement and call belongs to a request or a job run', () => {
    const strays = receiver.spans.filter((span) => span.kind === SPAN_KIND.CLIENT && span.parentSpanId === '');
    expect(strays.map((span) => span.name)).toEqual([]);
  });
});

// Nothing here touches the database server: run once, in the SQLite run.
(usingMysql ? describe.skip : describe)('tracing switched off, misconfigured, or its collector down', () => {
  /** Boots the whole app through src/tracing/register.ts, then lists the OpenTelemetry modules loaded. */
  async function loadedTracingModules(env: Record<string, string>): Promise<string[]> {
    const result = await runTsNode('test/support/loaded-tracing-modules.ts', [], baseChildEnv({ NODE_ENV: 'test', DATABASE_URL: 'sqlite::memory:', AGORA_HEALTH_URL: 'off', JOBS_ENABLED: 'false', ...env }), 120_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout.trim().split('\n').pop()!) as string[];
  }

  it('unset, costs nothing: the app boots without loading the SDK, an instrumentation or a require hook', async () => {
    // prom-client requires @opentelemetry/api itself (its process metrics), tracing or not: the API
    // alone is a no-op. No SDK, exporter, instrumentation or require hook is loaded.
    expect((await loadedTracingModules({})).filter((name) => name !== '@opentelemetry/api')).toEqual([]);
    // And the same script sees them when tracing is on (a port nothing listens on: nothing is sent).
    const on = await loadedTracingModules({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    expect(on).toEqual(expect.arrayContaining(['@opentelemetry/sdk-trace-node', '@opentelemetry/instrumentation-http', 'require-in-the-middle']));
  }, 240_000);

  it('a collector that is down: requests are answered, one warning line (in no trace), shutdown is not held up', async () => {
    const port = await freePort();
    const running = startTsNode(
      'src/main.ts',
      [],
      baseChildEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        DATABASE_URL: 'sqlite::memory:',
        AGORA_HEALTH_URL: 'off',
        JOBS_ENABLED: 'false',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
        OTEL_EXPORTER_OTLP_TIMEOUT: '500',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      }),
    );
    try {
      await waitForHealth(running, port);
      const warned = () => running.stdout.split('\n').filter((line) => line.includes('traces could not be exported'));
      const deadline = Date.now() + 30_000;
      while (warned().length === 0 && Date.now() < deadline) {
        expect((await fetch(`http://127.0.0.1:${port}/api/calling/my-calls`)).status).toBe(401);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      // Several failed exports by now, one line (a line a minute at most).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(warned()).toHaveLength(1);
      const line = JSON.parse(warned()[0]) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 'warn', context: 'Tracing', error: expect.stringContaining('ECONNREFUSED') });
      expect(line).not.toHaveProperty('trace_id');
      // Spans are still waiting: the flush on shutdown gives up after 3 s.
      await fetch(`http://127.0.0.1:${port}/api/calling/my-calls`);
      const started = Date.now();
      running.child.kill('SIGTERM');
      expect((await running.exited).code).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      if (running.child.exitCode === null) running.child.kill('SIGKILL');
    }
  }, 180_000);

  it('a bad OpenTelemetry setting stops the service at start-up, naming the variable', async () => {
    const result = await runTsNode('src/main.ts', [], baseChildEnv({ NODE_ENV: 'test', DATABASE_URL: 'sqlite::memory:', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_SAMPLER: 'sometimes' }), 60_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Invalid configuration:\n {2}- OTEL_TRACES_SAMPLER must be one of/);
    expect(result.stderr).not.toMatch(/^\s+at .+[(:]/m);
  }, 90_000);
});
