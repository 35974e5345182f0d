import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { createCall, join } from './support/calls';
import { ikootaClaims, signToken } from './support/jwt';
import { ChromiumSession, describeInChromium, launchChromium } from './support/chromium';
import { startApp, TestApp } from './support/test-app';

/**
 * CORS in a real browser: headless Chromium loads a page from another origin, and the page's own
 * script calls the service (started with CORS_ORIGINS naming that origin) the way a web client
 * does: the spec's frontend joinCall example, a preferences PUT, an admin DELETE, and reading
 * X-Request-Id, Retry-After and the rate-limit headers.
 *
 * Needs Chromium (Debian's `chromium`; CHROMIUM_PATH elsewhere). Without it the tests are skipped
 * with a line saying so, except under CI=true, where a missing browser fails the run.
 */

/** The page a web client would serve. API, token and the ids come from the test through the query string. */
const PAGE = String.raw`<!doctype html>
<html><head><meta charset="utf-8"><title>Ikoota calling client</title></head><body>
<script>
const params = new URLSearchParams(location.search);
const API = params.get('api');
const token = params.get('token');
const adminToken = params.get('admin');
const joined = [];
const agoraClient = { join: async (...args) => { joined.push(args); } };
let lastJoinRequestId = null;

// The frontend example of calling-api.md, with its URLs pointed at the API's origin.
const joinCall = async (callId) => {
  try {
    // First join the call
    const joinResponse = await fetch(API + '/api/calling/' + callId + '/join', {
      method: 'POST',
      headers: {
        'Authorization': 'Bearer ' + token,
        'Content-Type': 'application/json'
      }
    });
    lastJoinRequestId = joinResponse.headers.get('X-Request-Id');

    if (!joinResponse.ok) throw new Error('Failed to join call');

    const { channelName } = await joinResponse.json();

    // Get Agora token
    const tokenResponse = await fetch(API + '/api/calling/token', {
      method: 'POST',
      headers: {
        'Authorization': 'Bearer ' + token,
        'Content-Type': 'application/json'
      },
      body: JSON.stringify({
        channelName,
        uid: Math.floor(Math.random() * 1000000)
      })
    });

    const agoraConfig = await tokenResponse.json();

    // Initialize Agora client with returned config
    await agoraClient.join(
      agoraConfig.appId,
      agoraConfig.channelName,
      agoraConfig.token,
      agoraConfig.uid
    );

    console.log('Successfully joined call');
    return true;
  } catch (error) {
    console.error('Failed to join call:', error);
    return String(error);
  }
};

async function updatePreferences() {
  const res = await fetch(API + '/api/calling/preferences', {
    method: 'PUT',
    headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json', 'X-Request-Id': 'page-prefs-1' },
    body: JSON.stringify({ video_quality: 'sd', auto_mute_on_join: true }),
  });
  return { status: res.status, requestId: res.headers.get('X-Request-Id'), body: await res.json() };
}

async function removeParticipant(callId, userId) {
  const res = await fetch(API + '/api/calling/admin/' + callId + '/participants/' + userId, {
    method: 'DELETE',
    headers: { 'Authorization': 'Bearer ' + adminToken },
  });
  return { status: res.status, body: await res.json() };
}

async function createTwice() {
  const answers = [];
  for (let i = 0; i < 2; i += 1) {
    const res = await fetch(API + '/api/calling/create', {
      method: 'POST',
      headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'From the page ' + i }),
    });
    answers.push({
      status: res.status,
      code: (await res.json()).code ?? null,
      retryAfter: res.headers.get('Retry-After'),
      remaining: res.headers.get('X-RateLimit-Remaining-create'),
      limit: res.headers.get('X-RateLimit-Limit-create'),
    });
  }
  return answers;
}

async function tryPreferences() {
  try {
    const res = await fetch(API + '/api/calling/preferences', { headers: { 'Authorization': 'Bearer ' + token } });
    return 'answered ' + res.status;
  } catch (error) {
    return 'refused: ' + error.name;
  }
}
</script></body></html>`;

describeInChromium('CORS in a real browser (headless Chromium)', () => {
  let t: TestApp;
  let api: string;
  let pages: Server;
  let pagePort: number;
  let context: BrowserContext;
  let browser: ChromiumSession | undefined;
  /** Listed in CORS_ORIGINS; the same server under `localhost` is another origin, not listed. */
  let allowedOrigin: string;

  beforeAll(async () => {
    pages = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pagePort = (pages.address() as AddressInfo).port;
    allowedOrigin = `http://127.0.0.1:${pagePort}`;
    // One call per hour per member (the create limit scaled down), so the page meets a 429.
    t = await startApp({ CORS_ORIGINS: `https://ikoota.example, ${allowedOrigin}`, RATE_LIMIT_SCALE: '0.1' });
    await t.app.listen(0, '127.0.0.1');
    api = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = browser.context;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((resolve) => (pages ? pages.close(resolve) : resolve(undefined)));
  });

  /** Runs one of the page's own functions (or reads one of its globals) in the page. */
  const inPage = <T>(page: { evaluate(expression: string): Promise<unknown> }, name: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(args.length === 0 && !name.endsWith('()') ? name : `${name.replace(/\(\)$/, '')}(${args.map((a) => JSON.stringify(a)).join(', ')})`) as Promise<T>;

  async function openPage(origin: string, member: number, admin: number) {
    const page = await context.newPage();
    const query = new URLSearchParams({
      api,
      token: signToken(ikootaClaims(member, 'member')),
      admin: signToken(ikootaClaims(admin, 'member', 'admin')),
    });
    await page.goto(`${origin}/?${query}`);
    return page;
  }

  it("runs the spec's joinCall example, updates preferences and removes a participant from another origin", async () => {
    const host = 70_001;
    const member = 70_002;
    const { callId, channelName } = await createCall(t.http, host, { title: 'Browser call', isPublic: true });
    const page = await openPage(allowedOrigin, member, 70_003);
    try {
      expect(await inPage(page, 'joinCall()', callId)).toBe(true);
      const joined = await inPage<Array<[string, string, string, number]>>(page, 'joined');
      expect(joined).toHaveLength(1);
      expect(joined[0][1]).toBe(channelName);
      expect(joined[0][2].length).toBeGreaterThan(20);
      // The page's script reads the request id of its join.
      expect(await inPage(page, 'lastJoinRequestId')).toMatch(/^[0-9a-f-]{36}$/);

      const prefs = await inPage<{ status: number; requestId: string; body: { preferences: Record<string, unknown> } }>(page, 'updatePreferences()');
      expect(prefs.status).toBe(200);
      expect(prefs.requestId).toBe('page-prefs-1');
      expect(prefs.body.preferences).toMatchObject({ video_quality: 'sd', auto_mute_on_join: true });

      const removed = await inPage(page, 'removeParticipant()', callId, member);
      expect(removed).toMatchObject({ status: 200, body: { success: true, message: 'Participant removed from call' } });
      // The removal stands: the member cannot come back.
      await join(t.http, callId, { Authorization: `Bearer ${signToken(ikootaClaims(member, 'member'))}` }).expect(403);
    } finally {
      await page.close();
    }
  });

  it('lets page scripts read Retry-After and the rate-limit headers', async () => {
    const page = await openPage(allowedOrigin, 70_010, 70_011);
    try {
      const answers = await inPage(page, 'createTwice()');
      expect(answers).toEqual([
        { status: 201, code: null, retryAfter: null, remaining: '0', limit: '1' },
        { status: 429, code: 'RATE_LIMITED', retryAfter: expect.stringMatching(/^[1-9]\d*$/), remaining: null, limit: null },
      ]);
    } finally {
      await page.close();
    }
  });

  it('refuses a page from an origin that is not listed', async () => {
    const page = await openPage(`http://localhost:${pagePort}`, 70_020, 70_021);
    try {
      expect(await inPage(page, 'tryPreferences()')).toBe('refused: TypeError');
    } finally {
      await page.close();
    }
  });
});
