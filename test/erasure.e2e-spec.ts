/**
 * Erasure of a member (issue 26 §2): `DELETE /api/calling/admin/members/:member`. A member with
 * preferences, hosted and joined calls over three days (some of it folded into the analytics
 * aggregates, some not), open sessions, a lobby entry, a raised hand, a mute rule, a direct
 * call, delivered and pending events; erased; then every table's columns and every admin and
 * member answer, export and webhook body are searched for their user id (as a whole token) and
 * OTO#, past analytics compared, a second erasure answers zeros, a new token starts afresh, and
 * an erasure cut off midway is completed by the next one.
 */
import { AnalyticsRollup } from '../src/analytics/analytics-rollup.service';
import { User } from '../src/auth/entities/user.entity';
import { EventsDelivery } from '../src/events/events-delivery.service';
import { CallEvent } from '../src/outbox/entities/call-event.entity';
import { EventsOutbox } from '../src/outbox/events-outbox.service';
import { createCall, join, leave } from './support/calls';
import { FakeClock } from './support/clock';
import { FakeAgora, fakeAgora } from './support/fake-agora';
import { brokenInvariants } from './support/invariants';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'erasure-webhook-secret-0123456789abcdef';
const X = 731_906_457; // the member erased
const X_OTO = 'OTO#ERAS3D';
const Y = 26_001; // another member: hosts the calls X joins
const Z = 731_906_458; // the member whose erasure is cut off midway
const Z_OTO = 'OTO#ERAS3Z';
const ADMIN = 26_009;

const enc = (value: string): string => encodeURIComponent(value);
const ofX = () => as.member(X, { converse_id: X_OTO });
const ofY = () => as.member(Y, { converse_id: 'OTO#HOST01' });
const admin = () => as.admin(ADMIN);

/** The user id as a whole token (not inside a longer number), or the OTO#. */
const naming = (userId: number, oto: string) => new RegExp(`(?<![0-9])${userId}(?![0-9])|${oto.replace('#', '\\#')}`);

describe('erasure of a member', () => {
  const clock = new FakeClock('2026-03-01T10:00:00.000Z');
  let t: TestApp;
  let agora: FakeAgora;
  let receiver: WebhookReceiver;
  const calls: Record<string, number> = {};

  beforeAll(async () => {
    receiver = new WebhookReceiver(SECRET);
    const url = await receiver.start();
    agora = await fakeAgora();
    t = await startApp(
      { EVENTS_WEBHOOK_URL: url, EVENTS_WEBHOOK_SECRET: SECRET, AGORA_CUSTOMER_ID: 'customer-id', AGORA_CUSTOMER_SECRET: 'customer-secret', AGORA_API_BASE_URL: agora.url, AGORA_TOKEN_TTL_SECONDS: '3600' },
      undefined,
      clock,
    );
  });
  afterEach(async () => {
    expect(await brokenInvariants(t.dataSource)).toEqual({});
  });
  afterAll(async () => {
    await t?.close();
    await agora?.close();
    await receiver?.stop();
  });

  const count = async (sql: string, params: unknown[]): Promise<number> => Number((await t.dataSource.query(sql, params))[0].n);
  const erase = (member: string | number) => t.http.delete(`/api/calling/admin/members/${member}`).set(admin());
  const drain = async () => {
    const delivery = t.app.get(EventsDelivery);
    for (let i = 0; i < 20; i += 1) {
      const report = await delivery.deliver();
      if (report.delivered + report.retried + report.failed === 0) return;
    }
  };
  const analytics = async () => (await t.http.get('/api/calling/admin/analytics?days=30&groupBy=day').set(admin()).expect(200)).body as { dailyStats: Array<{ date: string }> };
  const pastDays = (report: { dailyStats: Array<{ date: string }> }) => report.dailyStats.filter((row) => row.date < '2026-03-03');

  /** Rows of every table with a column value naming the member (blobs are sketches of hashes). */
  async function rowsNaming(userId: number, oto: string): Promise<string[]> {
    const pattern = naming(userId, oto);
    const found: string[] = [];
    for (const metadata of t.dataSource.entityMetadatas) {
      const rows: Array<Record<string, unknown>> = await t.dataSource.query(`SELECT * FROM ${metadata.tableName}`);
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          if (value === null || Buffer.isBuffer(value)) continue;
          const text = value instanceof Date ? value.toISOString() : String(value);
          if (pattern.test(text)) found.push(`${metadata.tableName}.${column}: ${text}`);
        }
      }
    }
    return found;
  }

  /** Every GET answer an admin or Y can have (each call's routes for every call), naming the member. */
  async function answersNaming(userId: number, oto: string): Promise<string[]> {
    const pattern = naming(userId, oto);
    const paths = ['/api/calling/my-calls', '/api/calling/my-calls?scope=all', '/api/calling/preferences', '/api/calling/admin/analytics', '/api/calling/admin/calls', '/api/calling/admin/overview', '/api/calling/admin/sessions.csv', '/api/calling/admin/recordings'];
    for (const status of ['pending', 'delivered', 'failed']) paths.push(`/api/calling/admin/events?status=${status}&limit=100`);
    for (const callId of Object.values(calls)) {
      for (const tail of ['', '/lobby', '/hands', '/recordings']) paths.push(`/api/calling/${callId}${tail}`);
      paths.push(`/api/calling/admin/${callId}/details`);
    }
    const found: string[] = [];
    for (const path of paths) {
      for (const auth of [admin(), ofY()]) {
        const res = await t.http.get(path).set(auth).buffer(true);
        expect(res.status).toBeLessThan(500);
        if (pattern.test(res.text)) found.push(`${path}: ${res.text.slice(0, 200)}`);
      }
    }
    return found;
  }

  it('erases what names the member, keeps their past sessions under an anonymous id, and tells the webhook', async () => {
    // Day 1: X hosts a call Y joins; it ends; the rollup folds the day.
    // Created with an Idempotency-Key: the key and the answer stored for it name X until the erasure.
    const hosted = await t.http.post('/api/calling/create').set(ofX()).set('Idempotency-Key', 'x-create-1').send({ title: 'Hosted by X' }).expect(201);
    calls.hosted = hosted.body.callId;
    await t.http.post(`/api/calling/${calls.hosted}/invite`).set(ofX()).send({ userIds: [Y] }).expect(200);
    await join(t.http, calls.hosted, ofX()).expect(200);
    await join(t.http, calls.hosted, ofY()).expect(200);
    clock.advance(10 * 60_000);
    await leave(t.http, calls.hosted, ofY()).expect(200);
    await t.http.post(`/api/calling/${calls.hosted}/end`).set(ofX()).expect(200);
    await t.app.get(AnalyticsRollup).foldAll();

    // Day 2: X joins Y's public call (video) and leaves; X rings Y, who declines. Not folded.
    clock.set('2026-03-02T12:00:00.000Z');
    calls.joined = (await createCall(t.http, Y, { title: 'Open call', isPublic: true }, ofY())).callId;
    await join(t.http, calls.joined, ofY()).expect(200);
    await join(t.http, calls.joined, ofX(), { media: 'video' }).expect(200);
    clock.advance(5 * 60_000);
    await leave(t.http, calls.joined, ofX()).expect(200);
    const direct = await t.http.post('/api/calling/direct').set(ofX()).send({ callee: Y, media: 'audio' }).expect(201);
    calls.direct = direct.body.callId;
    await t.http.post(`/api/calling/${calls.direct}/decline`).set(ofY()).expect(200);
    await drain();
    const delivered = await t.dataSource.getRepository(CallEvent).count({ where: { status: 'delivered' } });
    expect(delivered).toBeGreaterThan(0);

    // Day 3: preferences; a live call X hosts and is in; a conference where X is muted (a mute
    // rule on their uid); a stage where X raised a hand; a lobby where X waits. Events pending.
    clock.set('2026-03-03T09:00:00.000Z');
    await t.http.put('/api/calling/preferences').set(ofX()).send({ voice_masking_enabled: false, recording_consent: true }).expect(200);
    calls.live = (await createCall(t.http, X, { title: 'Live, hosted by X', isPublic: true }, ofX())).callId;
    await join(t.http, calls.live, ofX()).expect(200);
    await join(t.http, calls.live, ofY()).expect(200);
    const conference = await createCall(t.http, Y, { title: 'Conference', isPublic: true }, ofY());
    calls.conference = conference.callId;
    await join(t.http, calls.conference, ofY()).expect(200);
    await join(t.http, calls.conference, ofX()).expect(200);
    await t.http.post('/api/calling/token').set(ofX()).send({ channelName: conference.channelName }).expect(200);
    await t.http.post(`/api/calling/${calls.conference}/participants/${enc(X_OTO)}/mute`).set(ofY()).send({ audio: true }).expect(200);
    calls.stage = (await createCall(t.http, Y, { title: 'Stage', isPublic: true, mode: 'stage' }, ofY())).callId;
    await join(t.http, calls.stage, ofY()).expect(200);
    await join(t.http, calls.stage, ofX()).expect(200);
    await t.http.post(`/api/calling/${calls.stage}/hand`).set(ofX()).send({ raised: true }).expect(200);
    calls.lobby = (await createCall(t.http, Y, { title: 'Door', isPublic: true, lobby: true }, ofY())).callId;
    await join(t.http, calls.lobby, ofX()).expect(202);
    expect(await count('SELECT COUNT(*) AS n FROM call_mute_rules WHERE user_id = ?', [X])).toBeGreaterThan(0);
    expect((await rowsNaming(X, X_OTO)).length).toBeGreaterThan(0);
    const pendingBefore = await t.dataSource.getRepository(CallEvent).count({ where: { status: 'pending' } });
    expect(pendingBefore).toBeGreaterThan(0);

    clock.advance(60_000);
    const before = await analytics();
    const detailsBefore = (await t.http.get(`/api/calling/admin/${calls.joined}/details`).set(admin()).expect(200)).body;
    const received = receiver.received.length;

    const erased = await erase(enc(X_OTO)).expect(200);
    expect(erased.body).toEqual({ erasure_id: expect.stringMatching(/^[0-9a-f-]{36}$/), erased_at: clock.now().toISOString(), erased: expect.any(Object) });
    expect(erased.body.erased).toEqual({
      member: 1,
      preferences: 1,
      idempotency_keys: 1,
      call_memberships: expect.any(Number),
      open_sessions_closed: 3,
      raised_hands: 1,
      lobby_entries: 1,
      uid_bindings: expect.any(Number),
      mute_rules: expect.any(Number),
      events: expect.any(Number),
      sessions_anonymised: 5,
      media_segments_anonymised: expect.any(Number),
      calls_created_anonymised: 3,
      rings_anonymised: 1,
      lobby_decisions_anonymised: 0,
      recordings_started_anonymised: 0,
    });
    for (const kind of ['call_memberships', 'uid_bindings', 'mute_rules', 'events', 'media_segments_anonymised'] as const) expect(erased.body.erased[kind]).toBeGreaterThan(0);
    expect(erased.body.erased.call_memberships).toBeGreaterThanOrEqual(6);
    expect(erased.text).not.toMatch(naming(X, X_OTO));

    // Nothing stored names them, no answer or export does.
    expect(await rowsNaming(X, X_OTO)).toEqual([]);
    expect(await answersNaming(X, X_OTO)).toEqual([]);

    // Their sessions stay under one anonymous id: negative, the same in every call, totals unchanged.
    const anonymous: Array<{ user_id: number | string }> = await t.dataSource.query('SELECT DISTINCT user_id FROM call_sessions WHERE user_id < 0');
    expect(anonymous).toHaveLength(1);
    const anonymousId = Number(anonymous[0].user_id);
    expect(await count('SELECT COUNT(*) AS n FROM call_sessions WHERE user_id = ?', [anonymousId])).toBe(5);
    // Folded before the move: the aggregates hold them under their own id, and reports never read them again as raw rows.
    expect(await count('SELECT COUNT(*) AS n FROM call_sessions WHERE user_id = ? AND folded_at IS NULL', [anonymousId])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM call_media_segments WHERE user_id = ? AND folded_at IS NULL', [anonymousId])).toBe(0);
    const creators: Array<{ creator_id: number | string }> = await t.dataSource.query('SELECT creator_id FROM calls WHERE id IN (?, ?, ?)', [calls.hosted, calls.live, calls.direct]);
    expect(creators.map((row) => Number(row.creator_id))).toEqual([anonymousId, anonymousId, anonymousId]);
    const detailsAfter = (await t.http.get(`/api/calling/admin/${calls.joined}/details`).set(admin()).expect(200)).body;
    expect(detailsAfter.stats).toEqual(detailsBefore.stats);
    expect(detailsAfter.participants).toHaveLength(detailsBefore.participants.length);
    expect(detailsAfter.participants.find((p: { user_id: number }) => p.user_id === anonymousId)).toMatchObject({ oto_number: 'OTO#UNKNWN', media: 'video' });
    // The calls they hosted stay: the live one goes on with Y in it.
    expect((await t.http.get(`/api/calling/${calls.live}`).set(ofY()).expect(200)).body).toMatchObject({ status: 'active' });

    // Analytics of past days read the same.
    expect(pastDays(await analytics())).toEqual(pastDays(before));

    // The webhook: what is delivered from now on names nobody erased; member.erased carries the erasure id and counts only.
    await drain();
    const after = receiver.received.slice(received);
    for (const delivery of after) expect(delivery.raw).not.toMatch(naming(X, X_OTO));
    const told = after.filter((delivery) => delivery.body.type === 'member.erased');
    expect(told).toHaveLength(1);
    expect(told[0].body).toEqual({ id: expect.any(String), type: 'member.erased', occurredAt: erased.body.erased_at, callId: 0, data: { erasure_id: erased.body.erasure_id, erased_at: erased.body.erased_at, erased: erased.body.erased } });
    expect(await rowsNaming(X, X_OTO)).toEqual([]);

    // Erasing again, by user id or OTO#, answers zeros and tells nothing.
    for (const member of [String(X), enc(X_OTO)]) {
      const again = await erase(member).expect(200);
      expect(Object.values(again.body.erased).every((n) => n === 0)).toBe(true);
    }
    expect(await t.dataSource.getRepository(CallEvent).count({ where: { type: 'member.erased' } })).toBe(1);
  });

  it('a new token with the same user id starts a new member', async () => {
    const fresh = as.member(X);
    expect((await t.http.get('/api/calling/preferences').set(fresh).expect(200)).body).toMatchObject({ voice_masking_enabled: true, recording_consent: false, created_at: null });
    expect((await t.http.get('/api/calling/my-calls?scope=mine').set(fresh).expect(200)).body).toEqual([]);
    const row = await t.dataSource.getRepository(User).findOneByOrFail({ id: X });
    expect(row.otoNumber).not.toBe(X_OTO);
    expect(row.otoNumber).toMatch(/^OTO#[A-Z0-9]{6}$/);
    // No longer removed from the conference: a new member may join it.
    await join(t.http, calls.conference, fresh).expect(200);
    await leave(t.http, calls.conference, fresh).expect(200);
  });

  it('an erasure cut off midway is completed by the next one', async () => {
    const auth = as.member(Z, { converse_id: Z_OTO });
    await t.http.put('/api/calling/preferences').set(auth).send({ video_quality: 'sd' }).expect(200);
    await join(t.http, calls.joined, auth).expect(200);
    const outbox = t.app.get(EventsOutbox);
    const crash = jest.spyOn(outbox, 'eraseMember').mockRejectedValueOnce(new Error('the process died here'));
    try {
      await erase(enc(Z_OTO)).expect(500);
    } finally {
      crash.mockRestore();
    }
    // The member row is still there (found by OTO#), their events too; the rest is done.
    expect(await t.dataSource.getRepository(User).countBy({ id: Z })).toBe(1);
    const retried = await erase(enc(Z_OTO)).expect(200);
    expect(retried.body.erased).toMatchObject({ member: 1, preferences: 0, open_sessions_closed: 0, sessions_anonymised: 0 });
    expect(retried.body.erased.events).toBeGreaterThan(0);
    expect(await rowsNaming(Z, Z_OTO)).toEqual([]);
  });

  it('refuses what is neither an OTO# nor a user id; an OTO# nobody holds erases nothing', async () => {
    for (const bad of ['abc', '0', '-5', 'OTO%23abc', '99999999999']) expect((await erase(bad).expect(400)).body.code).toBe('VALIDATION_FAILED');
    const none = await erase(enc('OTO#NOBODY')).expect(200);
    expect(Object.values(none.body.erased).every((n) => n === 0)).toBe(true);
    expect((await t.http.delete(`/api/calling/admin/members/${Y}`).set(ofY()).expect(403)).body.code).toBeDefined();
  });
});

