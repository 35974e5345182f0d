import { JobScheduler } from '../src/jobs/job-scheduler.service';
import { createCall, join, token } from './support/calls';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

/** The value of one sample line (`name{labels} value`) of a Prometheus text page, or undefined. */
function sample(page: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of page.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((label) => have.includes(label)) && (wanted.length > 0 || have.length === 0)) return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  describe('without METRICS_TOKEN', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startApp();
    });

    afterAll(async () => {
      await t?.close();
    });

    it('answers Prometheus text at the root, outside /api, with Node default metrics', async () => {
      const res = await t.http.get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.text).toMatch(/^# HELP process_cpu_user_seconds_total/m);
      expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
      expect(res.text).toMatch(/^calling_db_pool_connections\{state="total"\} \d+/m);
      await t.http.get('/api/metrics').expect(404);
    });

    it('counts requests by route pattern, tokens, refused joins, live calls and participants from the database', async () => {
      const host = 81_001;
      const call = await createCall(t.http, host, { isPublic: true, title: 'Metrics call' });
      await join(t.http, call.callId, as.member(host)).expect(200);
      await token(t.http, as.member(host), call.channelName, 4321).expect(200);
      await join(t.http, 999_999, as.member(host)).expect(404);
      await t.http.post('/api/calling/webhooks/agora').send({}).expect(404);
      expect(await t.app.get(JobScheduler).runOnce('presence-sweeper')).toBe(true);

      const page = (await t.http.get('/metrics').expect(200)).text;
      expect(sample(page, 'calling_tokens_issued_total')).toBe(1);
      expect(sample(page, 'calling_joins_refused_total', { code: 'CALL_NOT_FOUND' })).toBe(1);
      expect(sample(page, 'calling_webhook_notices_total', { result: 'disabled' })).toBe(1);
      expect(sample(page, 'calling_job_runs_total', { job: 'presence-sweeper', result: 'ok' })).toBe(1);
      expect(sample(page, 'calling_live_calls')).toBe(1);
      expect(sample(page, 'calling_live_participants')).toBe(1);
      expect(sample(page, 'calling_live_query_ok')).toBe(1);
      expect(sample(page, 'calling_http_request_duration_seconds_count', { route: '/api/calling/:callId/join', method: 'POST', status: '200' })).toBe(1);
      expect(sample(page, 'calling_http_request_duration_seconds_count', { route: '/api/calling/:callId/join', method: 'POST', status: '404' })).toBe(1);
      expect(sample(page, 'calling_http_request_duration_seconds_count', { route: '/api/calling/token', method: 'POST', status: '200' })).toBe(1);
      // No ids, OTO numbers or channel names in any label.
      expect(page).not.toContain(String(call.callId) + '/');
      expect(page).not.toMatch(/\b999999\b/);
      expect(page).not.toContain(call.channelName);
      expect(page).not.toMatch(/OTO#/);
      expect(page).not.toContain(String(host));
    });

    it('is not rate limited and needs no Ikoota JWT', async () => {
      for (let i = 0; i < 650; i += 1) await t.app.inject({ method: 'GET', url: '/metrics' }).then((res) => expect(res.statusCode).toBe(200));
    });
  });

  describe('with METRICS_TOKEN', () => {
    let t: TestApp;
    const TOKEN = 'scrape-me-0123456789abcdef';

    beforeAll(async () => {
      t = await startApp({ METRICS_TOKEN: TOKEN });
    });

    afterAll(async () => {
      await t?.close();
    });

    it('requires it as the bearer token, with the one error body', async () => {
      const missing = await t.http.get('/metrics').expect(401);
      expect(missing.body).toMatchObject({ statusCode: 401, code: 'AUTH_MISSING_TOKEN' });
      const wrong = await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
      expect(wrong.body).toMatchObject({ statusCode: 401, code: 'AUTH_INVALID_TOKEN' });
      // A member's JWT is not the metrics token.
      await t.http.get('/metrics').set(as.member(5)).expect(401);
      const ok = await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(ok.text).toContain('calling_live_calls');
    });
  });
});
