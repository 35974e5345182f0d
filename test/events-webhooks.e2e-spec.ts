/**
 * The outbox and its signed webhooks: a change that rolls back tells nothing; retries, order per
 * call, giving up after 24 h; the signature checked by the README's snippet; retention.
 */
import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { AssignedUids } from '../src/calls/assigned-uids.service';
import { CallEvent } from '../src/outbox/entities/call-event.entity';
import { EventsDelivery, retryDelayMs } from '../src/events/events-delivery.service';
import { RetentionService } from '../src/retention/retention.service';
import { createCall, join, leave } from './support/calls';
import { FakeClock } from './support/clock';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'test-webhook-secret-0123456789';
const HOUR = 3_600_000;

describe('events outbox and signed webhooks', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let delivery: EventsDelivery;
  const clock = new FakeClock('2026-01-05T09:00:00.000Z');

  beforeAll(async () => {
    receiver = new WebhookReceiver(SECRET);
    const url = await receiver.start();
    t = await startApp({ EVENTS_WEBHOOK_URL: url, EVENTS_WEBHOOK_SECRET: SECRET }, undefined, clock);
    delivery = t.app.get(EventsDelivery);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });
  beforeEach(() => {
    receiver.answer = () => 200;
  });

  const eventsOf = (callId: number) => t.dataSource.getRepository(CallEvent).find({ where: { callId }, order: { id: 'ASC' } });
  /** Runs the delivery until nothing more is due now. */
  const drain = async () => {
    for (let i = 0; i < 10; i += 1) {
      const report = await delivery.deliver();
      if (report.delivered + report.retried + report.failed === 0) return;
    }
  };

  it('the README shows exactly the snippet the test receiver verifies with', () => {
    const readme = readFileSync(joinPath(__dirname, '..', 'README.md'), 'utf8');
    const block = /<!-- verify-snippet:start -->\n```js\n([\s\S]*?)```\n<!-- verify-snippet:end -->/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(readFileSync(joinPath(__dirname, '..', 'examples', 'verify-ikoota-signature.js'), 'utf8'));
  });

  it('refuses to start with a webhook URL and no secret', async () => {
    await expect(startApp({ EVENTS_WEBHOOK_URL: 'http://127.0.0.1:9/x' })).rejects.toThrow(/EVENTS_WEBHOOK_SECRET is required/);
  });

  it('a join that rolls back writes no event; the joins and leaves that commit do, with their reason', async () => {
    const call = await createCall(t.http, 16_001, { isPublic: true });
    const uids = t.app.get(AssignedUids);
    const assign = jest.spyOn(uids, 'assign').mockRejectedValueOnce(new Error('boom after the session insert'));
    try {
      await join(t.http, call.callId, as.member(16_002)).expect(500);
    } finally {
      assign.mockRestore();
    }
    expect((await eventsOf(call.callId)).map((e) => e.type)).toEqual(['call.created']);
    await join(t.http, call.callId, as.member(16_002)).expect(200);
    await leave(t.http, call.callId, as.member(16_002)).expect(200);
    const events = await eventsOf(call.callId);
    expect(events.map((e) => [e.type, e.userId, e.reason])).toEqual([
      ['call.created', null, null],
      ['participant.joined', 16_002, null],
      ['participant.left', 16_002, 'left'],
    ]);
    await drain();
  });

  it('host controls and invitations write their events: updated, paused, resumed, invited, muted, removed, ended (by whom)', async () => {
    const host = 16_050;
    const guest = 16_051;
    const call = await createCall(t.http, host, { title: 'Controls' });
    await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(host)).send({ userIds: [guest] }).expect(200);
    await join(t.http, call.callId, as.member(guest)).expect(200);
    await t.http.patch(`/api/calling/${call.callId}`).set(as.member(host)).send({ title: 'Renamed' }).expect(200);
    await t.http.post(`/api/calling/${call.callId}/pause`).set(as.member(host)).expect(200);
    // Asking for the state it is in changes nothing, and tells nothing.
    await t.http.post(`/api/calling/${call.callId}/pause`).set(as.member(host)).expect(200);
    await t.http.post(`/api/calling/${call.callId}/resume`).set(as.member(host)).expect(200);
    await t.http.post(`/api/calling/${call.callId}/participants/${guest}/mute`).set(as.member(host)).send({ audio: true }).expect(200);
    await t.http.delete(`/api/calling/${call.callId}/participants/${guest}`).set(as.member(host)).expect(200);
    await t.http.post(`/api/calling/${call.callId}/end`).set(as.member(host)).expect(200);
    const events = await eventsOf(call.callId);
    expect(events.map((e) => [e.type, e.userId, e.actorId])).toEqual([
      ['call.created', null, host],
      ['member.invited', guest, host],
      ['participant.joined', guest, null],
      ['call.updated', null, host],
      ['call.paused', null, host],
      ['call.resumed', null, host],
      ['participant.muted', guest, host],
      ['participant.removed', guest, host],
      ['call.ended', null, host],
    ]);
    expect(JSON.parse(events[3].data!)).toEqual({ changed: { title: 'Renamed' } });
    expect(JSON.parse(events[6].data!)).toEqual({ muted: { audio: true, video: false } });
    expect(JSON.parse(events[8].data!)).toEqual({ ended_by: 'host' });
    await drain();
  });

  it('signs every POST (verified by the snippet), and sends members as user_id and oto_number only', async () => {
    const before = receiver.received.length;
    const call = await createCall(t.http, 16_010, { isPublic: true, title: 'Signed' });
    await join(t.http, call.callId, as.member(16_011, { converse_id: 'OTO#SIGN11' })).expect(200);
    await drain();
    const mine = receiver.received.slice(before).filter((r) => r.body.callId === call.callId);
    expect(mine.map((r) => r.body.type)).toEqual(['call.created', 'participant.joined']);
    expect(mine.every((r) => r.verified && r.status === 200)).toBe(true);
    const joined = mine[1].body;
    expect(joined).toEqual({ id: expect.stringMatching(/^evt_\d+$/), type: 'participant.joined', occurredAt: '2026-01-05T09:00:00.000Z', callId: call.callId, data: { member: { user_id: 16_011, oto_number: 'OTO#SIGN11' } } });
    expect(mine[0].body.data).toEqual({ by: { user_id: 16_010, oto_number: expect.stringMatching(/^OTO#/) }, title: 'Signed', is_public: true, max_participants: 50, lobby: false, wait_for_host: false, mode: 'conference' });
    // A tampered body does not verify.
    const { verifyIkootaSignature } = require('../examples/verify-ikoota-signature.js');
    const header = `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`;
    expect(verifyIkootaSignature(mine[1].raw, header, SECRET)).toBe(false);
  });

  it('500 three times then 200: the event arrives once more after the 200s start, and the call waits behind it while other calls go on', async () => {
    const first = await createCall(t.http, 16_020, { isPublic: true });
    receiver.answer = (body, attempt) => (body.callId === first.callId && body.type === 'call.created' && attempt <= 3 ? 500 : 200);
    await join(t.http, first.callId, as.member(16_021)).expect(200);
    const other = await createCall(t.http, 16_022, { isPublic: true });

    await drain();
    const ofFirst = () => receiver.received.filter((r) => r.body.callId === first.callId);
    expect(ofFirst().map((r) => [r.body.type, r.status])).toEqual([['call.created', 500]]);
    // The other call was not held up by the first one's retries.
    expect(receiver.received.filter((r) => r.body.callId === other.callId).map((r) => [r.body.type, r.status])).toEqual([['call.created', 200]]);

    for (let i = 0; i < 3; i += 1) {
      clock.advance(2 * HOUR);
      await drain();
    }
    expect(ofFirst().map((r) => [r.body.type, r.status])).toEqual([
      ['call.created', 500],
      ['call.created', 500],
      ['call.created', 500],
      ['call.created', 200],
      ['participant.joined', 200],
    ]);
    // Nothing more once delivered, however often the job runs.
    clock.advance(30 * HOUR);
    await drain();
    expect(ofFirst()).toHaveLength(5);
    expect((await eventsOf(first.callId)).map((e) => [e.status, e.attempts])).toEqual([
      ['delivered', 4],
      ['delivered', 1],
    ]);
  });

  it('keeps a call in order: created, joined, left, ended, as they happened', async () => {
    const call = await createCall(t.http, 16_030, { isPublic: true });
    await join(t.http, call.callId, as.member(16_031)).expect(200);
    await join(t.http, call.callId, as.member(16_032)).expect(200);
    await leave(t.http, call.callId, as.member(16_031)).expect(200);
    await t.http.post(`/api/calling/${call.callId}/end`).set(as.member(16_030)).expect(200);
    // Every event fails twice before it is taken: the order must hold through the retries.
    receiver.answer = (body, attempt) => (body.callId === call.callId && attempt <= 2 ? 503 : 200);
    for (let i = 0; i < 20; i += 1) {
      await drain();
      clock.advance(2 * HOUR);
    }
    const delivered = receiver.deliveredOnce().filter((b) => b.callId === call.callId);
    expect(delivered.map((b) => [b.type, (b.data.member as { user_id?: number } | undefined)?.user_id ?? null, b.data.reason ?? null])).toEqual([
      ['call.created', null, null],
      ['participant.joined', 16_031, null],
      ['participant.joined', 16_032, null],
      ['participant.left', 16_031, 'left'],
      ['participant.left', 16_032, 'call_ended'],
      ['call.ended', null, null],
    ]);
    const ids = delivered.map((b) => Number(b.id.slice(4)));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('gives up after 24 h of retries: failed, counted, listed for admins; the call goes on after it', async () => {
    const call = await createCall(t.http, 16_040, { isPublic: true });
    receiver.answer = (body) => (body.callId === call.callId && body.type === 'call.created' ? 500 : 200);
    await join(t.http, call.callId, as.member(16_041)).expect(200);
    for (let i = 0; i < 40; i += 1) {
      await drain();
      clock.advance(HOUR);
    }
    const [created, joined] = await eventsOf(call.callId);
    expect(created.status).toBe('failed');
    expect(created.lastError).toBe('status 500');
    expect(created.attempts).toBeGreaterThan(3);
    expect(joined.status).toBe('delivered');

    const page = await t.http.get('/api/calling/admin/events?status=failed&limit=100').set(as.admin(16_099)).expect(200);
    expect(page.body.events).toContainEqual(expect.objectContaining({ id: `evt_${created.id}`, type: 'call.created', callId: call.callId, status: 'failed', lastError: 'status 500' }));
    await t.http.get('/api/calling/admin/events?status=failed').set(as.member(16_041)).expect(403);
    await t.http.get('/api/calling/admin/events?status=lost').set(as.admin(16_099)).expect(400);
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(/calling_events_failed_total [1-9]/);
  });

  it('pages the admin list with a cursor, newest first', async () => {
    const all = await t.http.get('/api/calling/admin/events?status=delivered&limit=100').set(as.admin(16_099)).expect(200);
    const firstPage = await t.http.get('/api/calling/admin/events?status=delivered&limit=3').set(as.admin(16_099)).expect(200);
    const next = await t.http.get(`/api/calling/admin/events?status=delivered&limit=3&cursor=${firstPage.body.nextCursor}`).set(as.admin(16_099)).expect(200);
    expect([...firstPage.body.events, ...next.body.events].map((e: { id: string }) => e.id)).toEqual(all.body.events.slice(0, 6).map((e: { id: string }) => e.id));
  });

  it('backs off with full jitter, doubling up to an hour', () => {
    expect(retryDelayMs(1, () => 0.999)).toBe(999);
    expect(retryDelayMs(3, () => 0.5)).toBe(2000);
    expect(retryDelayMs(40, () => 0.999)).toBe(Math.floor(0.999 * HOUR));
    expect(retryDelayMs(5, () => 0)).toBe(0);
  });

  it('retention deletes delivered events past the retention window, and keeps failed and pending ones', async () => {
    const stored = await t.dataSource.getRepository(CallEvent).find();
    const delivered = stored.filter((e) => e.status === 'delivered').length;
    const kept = stored.length - delivered;
    expect(delivered).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
    clock.advance(91 * 24 * HOUR);
    const report = await t.app.get(RetentionService).purge();
    expect(report.events).toBe(delivered);
    expect(await t.dataSource.getRepository(CallEvent).count()).toBe(kept + 0);
  });
});
