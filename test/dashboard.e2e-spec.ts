import Fastify from 'fastify';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { seedDemo } from '../scripts/seed';
import { DASHBOARD_CSP, registerDashboard } from '../src/web/dashboard.static';
import { FakeClock } from './support/clock';
import { createCall, join, leave, token } from './support/calls';
import { as, bearer, ikootaClaims, signToken } from './support/jwt';
import { ChromiumSession, describeInChromium, launchChromium } from './support/chromium';
import { startApp, TestApp } from './support/test-app';

/**
 * The admin dashboard in headless Chromium, against the real service listening on a port, on a
 * database seeded with `npm run seed`'s demo story (four weeks of calls, one still live). The
 * page's figures are compared with the API's own answers; actions taken on the page are checked
 * through the API.
 *
 * The dashboard is built first when dist/dashboard is missing or older than dashboard/ (the rule
 * `npm start` uses). Needs Chromium (Debian's `chromium`; CHROMIUM_PATH elsewhere): without it the
 * browser tests are skipped with a line saying so, except under CI=true, where that fails the run.
 * Screenshots go to a temp folder, or to docs/ (the README's) with UPDATE_SCREENSHOTS=1.
 */

// The browser globals the functions run in the page use (page.evaluate): the service's tsconfig has no DOM lib.
interface PageElement {
  getAttribute(name: string): string | null;
  textContent: string | null;
  /** Where the dashboard's Chart component keeps its uPlot instance. */
  uplot?: { data: number[][] };
}
declare const document: {
  documentElement: { scrollWidth: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  addEventListener(type: 'securitypolicyviolation', listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
};
declare const sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
declare const localStorage: { length: number };

const builder = require('../scripts/build-if-stale.js') as { state(part: string): string; build(part: string, stdio?: string): number };

const NOW = '2026-03-20T21:00:00.000Z';
const ADMIN = 90_001; // the seed's admin
const MEMBER = 90_002;
const TOKEN_KEY = 'ikoota.dashboard.token';
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? joinPath(__dirname, '..', 'docs') : mkdtempSync(joinPath(tmpdir(), 'dashboard-shots-'));
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe('the dashboard is served as static files', () => {
  it('answers a clear 503 when dist/dashboard has not been built, without failing to start', async () => {
    const fastify = Fastify();
    await registerDashboard(fastify, joinPath(tmpdir(), 'no-such-dashboard-build'));
    for (const url of ['/dashboard', '/dashboard/', '/dashboard/calls/3']) {
      const answer = await fastify.inject({ url });
      expect(answer.statusCode).toBe(503);
      expect(answer.body).toMatch(/dashboard has not been built: run `npm run build`/);
      expect(answer.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    }
    await fastify.close();
  });
});

describeInChromium('the admin dashboard in a real browser (headless Chromium)', () => {
  let t: TestApp;
  let base: string;
  let context: BrowserContext;
  let browser: ChromiumSession | undefined;
  const clock = new FakeClock(NOW);
  const adminToken = signToken(ikootaClaims(ADMIN, 'member', 'admin'));
  const admin = bearer(adminToken);
  /** Console errors, page errors and CSP violations of every page, by page. */
  const problems: string[] = [];

  beforeAll(async () => {
    if (builder.state('dashboard') !== 'current') expect(builder.build('dashboard', 'pipe')).toBe(0);
    // Several page loads a minute by one admin: the analytics limit (20/min per route) scaled up.
    t = await startApp({ RATE_LIMIT_SCALE: '10' }, undefined, clock);
    await seedDemo(t.app, (at) => clock.set(at), Date.parse(NOW));
    // The last hour on the seed's live call, so the tiles have more than zeros to show: three
    // members join (one takes a token), two leave after half an hour (closed audio and video).
    const live = (await t.http.get('/api/calling/admin/calls?status=active&limit=1').set(admin).expect(200)).body.calls[0] as { id: number };
    clock.set(new Date(Date.parse(NOW) - 45 * 60_000));
    const guests = [90_031, 90_032, 90_033].map((id) => as.member(id));
    const joined = await Promise.all(guests.map((guest, i) => join(t.http, live.id, guest, { media: i === 0 ? 'audio' : 'video' }).expect(200)));
    await token(t.http, guests[0], joined[0].body.channelName, 31).expect(200);
    clock.set(new Date(Date.parse(NOW) - 15 * 60_000));
    for (const guest of guests.slice(0, 2)) await leave(t.http, live.id, guest).expect(200);
    clock.set(NOW);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium({ viewport: DESKTOP, acceptDownloads: true });
    context = browser.context;
    // CSP violations also reach the console; this names the directive and the blocked URL.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`));
    });
    if (process.env.UPDATE_SCREENSHOTS === '1') mkdirSync(SCREENSHOTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (process.env.UPDATE_SCREENSHOTS !== '1') rmSync(SCREENSHOTS, { recursive: true, force: true });
  });

  /** A new tab that reports its problems; `expected` lists console errors a test provokes on purpose. */
  async function open(path: string, token: string | null = adminToken, expected: RegExp[] = [], fakeTimers = false): Promise<Page> {
    const page = await context.newPage();
    // Playwright's fake timers (for the whole context from here on: keep such tests last).
    if (fakeTimers) await page.clock.install();
    const record = (text: string) => {
      if (!expected.some((pattern) => pattern.test(text))) problems.push(`${path}: ${text}`);
    };
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' || message.type() === 'warning') record(`console.${message.type()}: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => record(`pageerror: ${error.message}`));
    if (token) await page.addInitScript(([key, value]) => sessionStorage.setItem(key, value), [TOKEN_KEY, token] as const);
    await page.goto(base + path);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: joinPath(SCREENSHOTS, `${name}.png`), fullPage: true });
  /** Readable at phone width: wide tables scroll inside their own box, the page does not scroll sideways. */
  async function fitsPhone(page: Page): Promise<void> {
    await page.setViewportSize(PHONE);
    await page.waitForFunction((width) => document.documentElement.scrollWidth <= width, PHONE.width, { timeout: 5_000 });
    await page.setViewportSize(DESKTOP);
  }
  /** Waits for the call page's answer line to say `message`, exactly. */
  async function resultShows(page: Page, message: string): Promise<void> {
    await page.locator('[data-result]', { hasText: message }).waitFor();
    expect(await text(page, '[data-result]')).toBe(message);
  }
  const text = (page: Page, selector: string) => page.locator(selector).innerText();
  const api = async <T>(path: string): Promise<T> => (await t.http.get(`/api/calling/admin${path}`).set(admin).expect(200)).body as T;

  it('serves the page without a token, with its CSP, and index.html for client routes', async () => {
    for (const path of ['/dashboard', '/dashboard/', '/dashboard/calls/1']) {
      const answer = await fetch(base + path);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(answer.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(await answer.text()).toContain('<div id="app"></div>');
    }
    expect((await fetch(`${base}/dashboard/assets/no-such-file.js`)).status).toBe(404);
    // Only the dashboard carries this CSP: Swagger UI keeps its own needs, the API its JSON.
    expect((await fetch(`${base}/api/docs`)).headers.get('content-security-policy')).toBeNull();
    expect((await fetch(`${base}/api/calling/admin/overview`)).status).toBe(401);
  });

  it('signs an admin in, refuses a member with the API 403 message, and returns an expired token to sign-in', async () => {
    const refused = [/Failed to load resource: the server responded with a status of 40[13]/];
    const page = await open('/dashboard/', null, refused);
    try {
      await shot(page, 'dashboard-signin');
      await page.getByLabel('Ikoota JWT').fill(signToken(ikootaClaims(MEMBER, 'member')));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toBe('Admin role required (403 ADMIN_REQUIRED)');
      expect(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBeNull();

      await page.getByLabel('Ikoota JWT').fill(adminToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      expect(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBe(adminToken);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
    } finally {
      await page.close();
    }

    // A token that has expired since sign-in: the first 401 returns to sign-in with the API's message.
    const expired = signToken(ikootaClaims(ADMIN, 'member', 'admin'), { expiresIn: -10 });
    const late = await open('/dashboard/calls', expired, refused);
    try {
      await expect(late.getByRole('status').innerText()).resolves.toBe('Signed out: Bearer token has expired. Paste a new token.');
      await late.getByLabel('Ikoota JWT').waitFor();
      expect(await late.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBeNull();
    } finally {
      await late.close();
    }
  });

  it("shows the overview's figures as the API gives them, and one chart point per analytics bucket", async () => {
    const page = await open('/dashboard/');
    try {
      const overview = await api<Record<string, unknown> & { busiest_calls: Array<{ id: number }> }>('/overview');
      // The seed leaves live calls with members in them, so these are not all zeros.
      expect(overview.participants_now).toBeGreaterThan(0);
      expect(overview.busiest_calls.length).toBeGreaterThan(0);
      await page.locator('[data-tile="active_calls"]').filter({ hasNotText: '…' }).waitFor();
      for (const [field, digits] of [
        ['active_calls', 0],
        ['paused_calls', 0],
        ['participants_now', 0],
        ['joins_last_hour', 0],
        ['token_sessions_last_hour', 0],
        ['audio_minutes_today', 2],
        ['video_minutes_today', 2],
      ] as const) {
        expect([field, await text(page, `[data-tile="${field}"]`)]).toEqual([field, (overview[field] as number).toLocaleString('en-US', { maximumFractionDigits: digits })]);
      }
      const busiest = await page.locator('table.top-calls tbody tr a').allInnerTexts();
      expect(busiest.map((label) => Number(/^#(\d+)/.exec(label)?.[1]))).toEqual(overview.busiest_calls.map((c) => c.id));

      /** What one uPlot chart was given: its x values (as dates) and each series. */
      const drawn = (chart: string) =>
        page.evaluate((id) => {
          const u = document.querySelector(`[data-chart="${id}"]`)?.uplot;
          if (!u) return null;
          return { dates: u.data[0].map((x) => new Date(x * 1000).toISOString().slice(0, 10)), series: u.data.slice(1) };
        }, chart);

      for (const [days, groupBy] of [
        ['30', 'day'],
        ['90', 'week'],
      ] as const) {
        await page.getByLabel('Days').selectOption(days);
        await page.getByLabel('Group by').selectOption(groupBy);
        const report = await api<{ dailyStats: Array<Record<string, number> & { date: string }> }>(`/analytics?days=${days}&groupBy=${groupBy}`);
        const buckets = report.dailyStats;
        await page.waitForFunction((n) => document.querySelector('[data-chart="calls"]')?.uplot?.data[0].length === n, buckets.length);
        expect(buckets.length).toBe(groupBy === 'day' ? 30 : 14);
        expect(buckets.some((b) => b.total_calls > 0)).toBe(true);
        const calls = await drawn('calls');
        expect(calls).toEqual({ dates: buckets.map((b) => b.date), series: [buckets.map((b) => b.total_calls)] });
        // Stacked: audio, then audio + video.
        expect((await drawn('minutes'))?.series).toEqual([buckets.map((b) => b.audio_minutes), buckets.map((b) => b.audio_minutes + b.video_minutes)]);
        expect((await drawn('participants'))?.series).toEqual([buckets.map((b) => b.total_participants), buckets.map((b) => b.unique_members)]);
        expect((await drawn('peak'))?.series).toEqual([buckets.map((b) => b.peak_participants)]);
        // One point drawn per bucket: uPlot's cursor can stop on each of them.
        expect(await page.evaluate(() => document.querySelector('[data-chart="peak"]')!.uplot!.data[1].length)).toBe(buckets.length);
      }
      await page.getByLabel('Days').selectOption('30');
      await page.getByLabel('Group by').selectOption('day');
      await page.waitForFunction(() => document.querySelector('[data-chart="calls"]')?.uplot?.data[0].length === 30);
      await shot(page, 'dashboard-overview');
      await fitsPhone(page);
      await page.setViewportSize(PHONE);
      await shot(page, 'dashboard-overview-phone');
    } finally {
      await page.close();
    }
  });

  it('pages through the calls list by cursor, forward and back, as the API pages them', async () => {
    const first = await api<{ calls: Array<{ id: number }>; nextCursor: string }>('/calls?limit=10');
    const second = await api<{ calls: Array<{ id: number }>; nextCursor: string | null }>(`/calls?limit=10&cursor=${first.nextCursor}`);
    expect(first.nextCursor).not.toBeNull();
    const page = await open('/dashboard/calls');
    const shownIds = async () => (await page.locator('table.calls tbody tr[data-call-id]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-call-id')))));
    try {
      await page.getByLabel('Per page').selectOption('10');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForFunction(() => document.querySelectorAll('table.calls tbody tr[data-call-id]').length === 10);
      expect(await shownIds()).toEqual(first.calls.map((c) => c.id));
      await page.getByRole('button', { name: /Next/ }).click();
      await page.locator(`tr[data-call-id="${second.calls[0].id}"]`).waitFor();
      expect(await shownIds()).toEqual(second.calls.map((c) => c.id));
      await page.getByRole('button', { name: /Previous/ }).click();
      await page.locator(`tr[data-call-id="${first.calls[0].id}"]`).waitFor();
      expect(await shownIds()).toEqual(first.calls.map((c) => c.id));
      expect(await page.getByRole('button', { name: /Previous/ }).isDisabled()).toBe(true);

      // Filters reach the API: the ended calls only, then a title search.
      await page.getByLabel('Status').selectOption('ended');
      await page.getByRole('button', { name: 'Apply' }).click();
      const ended = await api<{ calls: Array<{ id: number }> }>('/calls?limit=10&status=ended');
      await page.waitForFunction((id) => document.querySelector('table.calls tbody tr[data-call-id]')?.getAttribute('data-call-id') === String(id), ended.calls[0].id);
      expect(await shownIds()).toEqual(ended.calls.map((c) => c.id));
      await page.getByLabel('Status').selectOption('');
      await page.getByLabel('Title or OTO#').fill('Town hall');
      await page.getByRole('button', { name: 'Apply' }).click();
      const townHalls = await api<{ calls: Array<{ id: number }> }>('/calls?limit=10&q=Town%20hall');
      expect(townHalls.calls.length).toBeGreaterThan(0);
      await page.waitForFunction((n) => document.querySelectorAll('table.calls tbody tr[data-call-id]').length === n && [...document.querySelectorAll('table.calls tbody tr td:nth-child(2)')].every((td) => td.textContent!.includes('Town hall')), townHalls.calls.length);
      expect(await shownIds()).toEqual(townHalls.calls.map((c) => c.id));

      // A date range of UTC days, both included: the API's [from, to) over those days.
      await page.getByLabel('Title or OTO#').fill('');
      await page.getByLabel('From (UTC)').fill('2026-03-16');
      await page.getByLabel('To (UTC)').fill('2026-03-18');
      await page.getByRole('button', { name: 'Apply' }).click();
      const ranged = await api<{ calls: Array<{ id: number; created_at: string }> }>('/calls?limit=10&from=2026-03-16T00:00:00.000Z&to=2026-03-19T00:00:00.000Z');
      expect(ranged.calls.length).toBeGreaterThan(0);
      expect(ranged.calls.every((c) => c.created_at >= '2026-03-16' && c.created_at < '2026-03-19')).toBe(true);
      await page.waitForFunction((ids) => [...document.querySelectorAll('table.calls tbody tr[data-call-id]')].map((r) => r.getAttribute('data-call-id')).join() === ids, ranged.calls.map((c) => c.id).join());

      await page.getByLabel('From (UTC)').fill('');
      await page.getByLabel('To (UTC)').fill('');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForFunction(() => document.querySelectorAll('table.calls tbody tr[data-call-id]').length === 10);
      await shot(page, 'dashboard-calls');
      await fitsPhone(page);
      // A row opens its call.
      await page.locator(`tr[data-call-id="${first.calls[1].id}"] td:first-child`).click();
      await page.getByRole('heading', { name: new RegExp(`^Call #${first.calls[1].id}`) }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/dashboard/calls/${first.calls[1].id}`);
    } finally {
      await page.close();
    }
  });

  it('removes a participant and ends a call from the page, and exports the call as CSV', async () => {
    const overview = await api<{ busiest_calls: Array<{ id: number; participants: number }> }>('/overview');
    const live = overview.busiest_calls[0];
    type Details = { call: { status: string }; participants: Array<{ user_id: number; oto_number: string; left_at: string | null; leave_reason: string | null }> };
    const before = await api<Details>(`/${live.id}/details`);
    const target = before.participants.find((p) => p.left_at === null && p.user_id !== ADMIN)!;
    expect(target).toBeDefined();

    const page = await open(`/dashboard/calls/${live.id}`);
    try {
      await page.getByRole('button', { name: `Remove ${target.oto_number}` }).waitFor();
      await shot(page, 'dashboard-call');
      await fitsPhone(page);
      await page.getByRole('button', { name: `Remove ${target.oto_number}` }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.getByRole('heading').innerText()).resolves.toBe(`Remove ${target.oto_number}?`);
      // Cancel leaves everything as it was.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect((await api<Details>(`/${live.id}/details`)).participants.find((p) => p.user_id === target.user_id && p.left_at === null)).toBeDefined();

      await page.getByRole('button', { name: `Remove ${target.oto_number}` }).click();
      await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
      await resultShows(page, `${target.oto_number}: Participant removed from call. Agora kick: skipped.`);
      const removed = (await api<Details>(`/${live.id}/details`)).participants.filter((p) => p.user_id === target.user_id);
      expect(removed.every((p) => p.left_at !== null)).toBe(true);
      expect(removed[removed.length - 1].leave_reason).toBe('removed');
      await page.getByRole('button', { name: `Remove ${target.oto_number}` }).waitFor({ state: 'detached' });

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`call-${live.id}\\.csv$`));
      await resultShows(page, `Saved ${download.suggestedFilename()}.`);
      const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
      expect(csv[0]).toBe('call_id,oto_number,role,joined_at,left_at,duration_seconds,audio_seconds,video_seconds,leave_reason');
      expect(csv).toHaveLength(1 + before.participants.length);
      expect(csv.some((line) => line.startsWith(`${live.id},${target.oto_number},`) && line.endsWith(',removed'))).toBe(true);

      await page.getByRole('button', { name: 'End call' }).click();
      await dialog.getByRole('button', { name: 'End call' }).click();
      await resultShows(page, 'Call ended successfully. Agora kick: skipped.');
      const after = await api<Details>(`/${live.id}/details`);
      expect(after.call.status).toBe('ended');
      expect(after.participants.every((p) => p.left_at !== null)).toBe(true);
      await page.locator('h1 .badge-ended').waitFor();
      expect(await page.getByRole('button', { name: 'End call' }).isDisabled()).toBe(true);
    } finally {
      await page.close();
    }
  });

  it("shows each call's schedule in the calls list (issue 24)", async () => {
    const startsAt = new Date(Date.parse(NOW) + 24 * 3_600_000);
    const endsAt = new Date(startsAt.getTime() + 90 * 60_000);
    const { callId } = await createCall(t.http, 90_038, { title: 'Scheduled town hall', startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() });
    const page = await open('/dashboard/calls');
    try {
      const cell = page.locator(`tr[data-call-id="${callId}"] td[data-schedule]`);
      await cell.waitFor();
      const utc = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      expect(await cell.innerText()).toBe(`${utc(startsAt)} → ${utc(endsAt)}`);
      // A call without a schedule shows a dash.
      const plain = (await api<{ calls: Array<{ id: number; starts_at: string | null }> }>('/calls?limit=10')).calls.find((call) => call.starts_at === null)!;
      expect(await page.locator(`tr[data-call-id="${plain.id}"] td[data-schedule]`).innerText()).toBe('—');
    } finally {
      await page.close();
    }
  });

  it('refreshes the overview every 10 s and a live call every 5 s', async () => {
    const host = 90_035;
    const { callId } = await createCall(t.http, host, { title: 'Refresh check', isPublic: true });
    await join(t.http, callId, as.member(host)).expect(200);
    const page = await open('/dashboard/', adminToken, [], true);
    try {
      const tile = page.locator('[data-tile="participants_now"]');
      await tile.filter({ hasNotText: '…' }).waitFor();
      const before = Number(await tile.innerText());
      expect(before).toBe((await api<{ participants_now: number }>('/overview')).participants_now);
      await join(t.http, callId, as.member(90_036)).expect(200);
      await page.clock.fastForward(9_000);
      expect(Number(await tile.innerText())).toBe(before);
      await page.clock.fastForward(1_500);
      await tile.filter({ hasText: String(before + 1) }).waitFor({ timeout: 5_000 });

      await page.goto(`${base}/dashboard/calls/${callId}`);
      const rows = page.locator('table.participants tbody tr[data-user-id]');
      await page.locator('tr[data-user-id="90036"]').waitFor();
      expect(await rows.count()).toBe(2);
      await join(t.http, callId, as.member(90_037)).expect(200);
      await page.clock.fastForward(5_500);
      await page.locator('tr[data-user-id="90037"]').waitFor({ timeout: 5_000 });
      expect(await rows.count()).toBe(3);
    } finally {
      await page.close();
    }
  });

  it('logged no console error, page error or CSP violation on any page', () => {
    expect(problems).toEqual([]);
  });
});
