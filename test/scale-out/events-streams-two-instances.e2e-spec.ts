/**
 * Member event streams on two instances sharing one MariaDB and one Redis: an event written on
 * one instance reaches streams on the other at once (Redis pub/sub), and a ticket is single-use
 * across both (Redis GETDEL).
 */
import { randomInt } from 'node:crypto';
import { createCall, join } from '../support/calls';
import { openStream, OpenStream } from '../support/event-stream';
import { as } from '../support/jwt';
import { createTestDatabase, startApp, TestApp } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const base = randomInt(1_000_000, 1_900_000_000);
const user = (n: number) => base + n;

describe('event streams across two instances', () => {
  let db: { url: string; drop(): Promise<void> };
  let a: TestApp;
  let b: TestApp;
  const urls: string[] = [];
  const open: OpenStream[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b] = await Promise.all([startApp({ REDIS_URL }, db.url), startApp({ REDIS_URL }, db.url)]);
    for (const t of [a, b]) {
      await t.app.listen(0, '127.0.0.1');
      urls.push((await t.app.getUrl()).replace('[::1]', '127.0.0.1'));
    }
  });
  afterAll(async () => {
    for (const stream of open) stream.close();
    await a?.app.close();
    await b?.app.close();
    await db?.drop();
  });

  it('a ticket issued on one instance opens a stream on the other, once', async () => {
    const { ticket } = (await a.http.post('/api/calling/events/ticket').set(as.member(user(1))).expect(201)).body as { ticket: string };
    const stream = await openStream(urls[1], `ticket=${ticket}`);
    open.push(stream);
    expect(stream.status).toBe(200);
    const again = await fetch(`${urls[0]}/api/calling/events?ticket=${ticket}`);
    expect(again.status).toBe(401);
  });

  it('a member streaming from instance A sees joins made on instance B at once', async () => {
    const host = user(10);
    const call = await createCall(b.http, host, { isPublic: true });
    const { ticket } = (await a.http.post('/api/calling/events/ticket').set(as.member(host)).expect(201)).body as { ticket: string };
    const stream = await openStream(urls[0], `ticket=${ticket}`);
    open.push(stream);
    // Let the stream's tail start before the first join.
    await new Promise((r) => setTimeout(r, 300));
    const latencies: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const guest = user(20 + i);
      const started = Date.now();
      await join(b.http, call.callId, as.member(guest)).expect(200);
      await stream.next((e) => e.body.type === 'participant.joined' && (e.body.data.member as { user_id: number }).user_id === guest);
      latencies.push(Date.now() - started);
    }
    expect(stream.events.map((e) => (e.body.data.member as { user_id: number }).user_id)).toEqual([0, 1, 2, 3, 4].map((i) => user(20 + i)));
    // Pushed through Redis, not found by the once-a-second poll: the median well under a second.
    latencies.sort((x, y) => x - y);
    expect(latencies[2]).toBeLessThan(300);
  });
});
