/**
 * Recording with consent (issue 17): Agora Cloud Recording through a fake Agora server that checks
 * what the service sends (auth, paths, subscribe lists) and fails on demand, and a fake S3 endpoint
 * for the retention job's DeleteObjects. On SQLite and MariaDB.
 */
import { createHmac } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { RECORDER_UID } from '../src/calls/assigned-uids.service';
import { DEV_AGORA_APP_ID } from '../src/config/agora.config';
import { PresenceSweeper } from '../src/presence/presence-sweeper.service';
import { RecordingsReconcileJob } from '../src/recordings/recordings-reconcile.job';
import { RetentionService } from '../src/retention/retention.service';
import { createCall, join, leave } from './support/calls';
import { FakeClock } from './support/clock';
import { AgoraRequest, FakeAgora, fakeAgora } from './support/fake-agora';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

/** A stand-in for an S3-compatible store: enough of DeleteObjects (POST /bucket?delete, XML) for the SDK. */
async function fakeS3() {
  const deletes: Array<{ path: string; auth?: string; keys: string[] }> = [];
  const state = { failing: false, onDelete: undefined as undefined | ((keys: string[]) => Promise<void>) };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      void (async () => {
        const keys = [...raw.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
        deletes.push({ path: req.url ?? '', auth: req.headers.authorization, keys });
        await state.onDelete?.(keys);
        res.setHeader('Content-Type', 'application/xml');
        if (state.failing || req.method !== 'POST' || !/^\/ikoota-recordings\/?\?delete/.test(req.url ?? '')) {
          res.writeHead(500).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>failing on demand</Message></Error>');
          return;
        }
        res.writeHead(200).end(`<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${keys.map((k) => `<Deleted><Key>${k}</Key></Deleted>`).join('')}</DeleteResult>`);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, deletes, state };
}

const close = (server: Server) => new Promise((resolve) => server.close(resolve));
const BASIC = `Basic ${Buffer.from('customer-id:customer-secret').toString('base64')}`;
const DAY_MS = 86_400_000;
const sqlDatetime = (at: Date) => at.toISOString().replace('T', ' ').replace('Z', '');

/** Waits until `check` holds (background work after a response), or fails with what it last saw. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

const recordingEnv = (agoraUrl: string, s3Url: string): Record<string, string> => ({
  AGORA_CUSTOMER_ID: 'customer-id',
  AGORA_CUSTOMER_SECRET: 'customer-secret',
  AGORA_API_BASE_URL: agoraUrl,
  RECORDING_STORAGE_VENDOR: '11',
  RECORDING_STORAGE_REGION: '0',
  RECORDING_STORAGE_BUCKET: 'ikoota-recordings',
  RECORDING_STORAGE_ACCESS_KEY: 'AKIATESTKEY',
  RECORDING_STORAGE_SECRET_KEY: 'storage-secret-value',
  RECORDING_STORAGE_PREFIX: 'ikoota/recordings',
  RECORDING_STORAGE_ENDPOINT: s3Url,
});

describe('Recording with consent', () => {
  const clock = new FakeClock('2026-03-02T10:00:00.000Z');
  let agora: FakeAgora;
  let s3: Awaited<ReturnType<typeof fakeS3>>;
  let t: TestApp;
  let nextUser = 17_000;
  const fresh = () => (nextUser += 1);

  beforeAll(async () => {
    agora = await fakeAgora();
    s3 = await fakeS3();
    t = await startApp(recordingEnv(agora.url, s3.url), undefined, clock);
  });
  afterAll(async () => {
    await t?.close();
    await agora.close();
    await close(s3.server);
  });
  afterEach(() => {
    agora.state.down = undefined;
    agora.state.failNext = {};
    agora.state.startDelayMs = 0;
    s3.state.failing = false;
    s3.state.onDelete = undefined;
  });

  const consent = (user: number, value = true) => t.http.put('/api/calling/preferences').set(as.member(user)).send({ recording_consent: value }).expect(200);
  const startRec = (callId: number, auth: { Authorization: string }, mode = 'mix') => t.http.post(`/api/calling/${callId}/recordings`).set(auth).send({ mode });
  const stopRec = (callId: number, id: number, auth: { Authorization: string }) => t.http.delete(`/api/calling/${callId}/recordings/${id}`).set(auth);
  const listRec = (callId: number, auth: { Authorization: string }) => t.http.get(`/api/calling/${callId}/recordings`).set(auth);
  const ofAction = (action: string, from = 0) => agora.requests.slice(from).filter((r) => r.url.endsWith(`/${action}`));
  const audioOf = (r: AgoraRequest) => (r.body!.clientRequest as { recordingConfig: { subscribeAudioUids: string[] } }).recordingConfig.subscribeAudioUids;
  const videoOf = (r: AgoraRequest) => (r.body!.clientRequest as { recordingConfig: { subscribeVideoUids: string[] } }).recordingConfig.subscribeVideoUids;
  const updatedOf = (r: AgoraRequest) => {
    const subscribe = (r.body!.clientRequest as { streamSubscribe: { audioUidList: { subscribeAudioUids: string[] }; videoUidList: { subscribeVideoUids: string[] } } }).streamSubscribe;
    expect(subscribe.videoUidList.subscribeVideoUids).toEqual(subscribe.audioUidList.subscribeAudioUids);
    return subscribe.audioUidList.subscribeAudioUids;
  };
  const rowsOf = async (callId: number) => (await t.dataSource.query('SELECT id, status FROM call_recordings WHERE call_id = ?', [callId])) as Array<{ id: number; status: string }>;
  const recordingIdOf = async (callId: number) => (await t.dataSource.query('SELECT recording_id FROM calls WHERE id = ?', [callId]))[0].recording_id as number | null;

  /** A call with a host and the given members in it; returns each member's uid. */
  async function callWith(members: number[], host = fresh()) {
    const call = await createCall(t.http, host, { isPublic: true });
    const uids = new Map<number, number>();
    for (const member of members) uids.set(member, (await join(t.http, call.callId, as.member(member)).expect(200)).body.uid as number);
    return { ...call, host, uids };
  }

  it('records only consenting members, and follows them as they join and leave', async () => {
    const [yes1, no, yes2, late] = [fresh(), fresh(), fresh(), fresh()];
    for (const user of [yes1, yes2, late]) await consent(user);
    await consent(no, false);
    const call = await callWith([yes1, no, yes2]);
    const before = agora.requests.length;

    const started = await startRec(call.callId, as.member(call.host)).expect(201);
    expect(started.body).toEqual({ recordingId: expect.any(Number), status: 'recording' });

    const [acquire] = ofAction('acquire', before);
    const [start] = ofAction('start', before);
    expect(acquire.url).toBe(`/v1/apps/${DEV_AGORA_APP_ID}/cloud_recording/acquire`);
    expect(acquire.authorization).toBe(BASIC);
    expect(acquire.body).toMatchObject({ cname: call.channelName, uid: String(RECORDER_UID) });
    expect(start.url).toMatch(new RegExp(`^/v1/apps/${DEV_AGORA_APP_ID}/cloud_recording/resourceid/res-\\d+/mode/mix/start$`));
    expect(start.authorization).toBe(BASIC);
    expect(start.body).toMatchObject({
      cname: call.channelName,
      uid: String(RECORDER_UID),
      clientRequest: {
        token: expect.stringMatching(/^007/),
        storageConfig: { vendor: 11, region: 0, bucket: 'ikoota-recordings', accessKey: 'AKIATESTKEY', secretKey: 'storage-secret-value', fileNamePrefix: ['ikoota', 'recordings'], extensionParams: { endpoint: s3.url.replace('http://', '') } },
      },
    });
    const consenting = [call.uids.get(yes1)!, call.uids.get(yes2)!].sort((a, b) => a - b).map(String);
    expect(audioOf(start)).toEqual(consenting);
    expect(videoOf(start)).toEqual(consenting);
    expect((start.body!.clientRequest as { recordingConfig: Record<string, unknown> }).recordingConfig).not.toHaveProperty('subscribeUidGroup');
    expect(audioOf(start)).not.toContain(String(call.uids.get(no)));

    const detail = await t.http.get(`/api/calling/${call.callId}`).set(as.member(call.host)).expect(200);
    expect(detail.body.recording).toBe(true);

    // A consenting member joins: the lists grow (after the join answered).
    const updatesBefore = ofAction('update').length;
    const lateUid = (await join(t.http, call.callId, as.member(late)).expect(200)).body.uid as number;
    await eventually(() => ofAction('update').length === updatesBefore + 1, 'an update after the consenting join');
    const grown = ofAction('update').at(-1)!;
    expect(grown.authorization).toBe(BASIC);
    expect(grown.url).toMatch(new RegExp(`/cloud_recording/resourceid/res-\\d+/sid/sid-\\d+/mode/mix/update$`));
    expect(updatedOf(grown)).toEqual([...consenting, String(lateUid)].sort((a, b) => Number(a) - Number(b)));

    // A non-consenting member joining or leaving changes nothing at Agora.
    const outsider = fresh();
    await join(t.http, call.callId, as.member(outsider)).expect(200);
    await leave(t.http, call.callId, as.member(no)).expect(200);
    await settle();
    expect(ofAction('update').length).toBe(updatesBefore + 1);

    // A consenting member leaves: the lists shrink.
    await leave(t.http, call.callId, as.member(yes1)).expect(200);
    await eventually(() => ofAction('update').length === updatesBefore + 2, 'an update after the consenting leave');
    expect(updatedOf(ofAction('update').at(-1)!)).toEqual([call.uids.get(yes2)!, lateUid].sort((a, b) => a - b).map(String));

    // Stopping answers the files Agora listed.
    const stopped = await stopRec(call.callId, started.body.recordingId, as.member(call.host)).expect(200);
    expect(stopped.body).toMatchObject({ recordingId: started.body.recordingId, callId: call.callId, mode: 'mix', status: 'stopped', failure: null, startedAt: expect.any(String), stoppedAt: expect.any(String), durationSeconds: 0 });
    expect(stopped.body.files.map((f: { fileName: string }) => f.fileName)).toEqual([expect.stringMatching(/^ikoota\/recordings\/sid-\d+_main\.m3u8$/), expect.stringMatching(/_main_0\.ts$/)]);
    expect(ofAction('stop').at(-1)!.body).toMatchObject({ cname: call.channelName, uid: String(RECORDER_UID) });
    expect((await t.http.get(`/api/calling/${call.callId}`).set(as.member(call.host)).expect(200)).body.recording).toBe(false);
    // Stopping again answers it as it is, without asking Agora.
    const stops = ofAction('stop').length;
    await stopRec(call.callId, started.body.recordingId, as.member(call.host)).expect(200);
    expect(ofAction('stop').length).toBe(stops);
  });

  it('giving or withdrawing consent in the call, or being removed from it, changes the lists at once', async () => {
    const [a, b] = [fresh(), fresh()];
    await consent(a);
    const call = await callWith([a, b]);
    const started = await startRec(call.callId, as.member(call.host)).expect(201);
    const updates = ofAction('update').length;
    const [uidA, uidB] = [call.uids.get(a)!, call.uids.get(b)!];

    await consent(b);
    await eventually(() => ofAction('update').length === updates + 1, 'an update after consent given');
    expect(updatedOf(ofAction('update').at(-1)!)).toEqual([uidA, uidB].sort((x, y) => x - y).map(String));

    await consent(a, false);
    await eventually(() => ofAction('update').length === updates + 2, 'an update after consent withdrawn');
    expect(updatedOf(ofAction('update').at(-1)!)).toEqual([String(uidB)]);

    await t.http.delete(`/api/calling/${call.callId}/participants/${b}`).set(as.member(call.host)).expect(200);
    await eventually(() => ofAction('update').length === updates + 3, 'an update after the removal');
    expect(updatedOf(ofAction('update').at(-1)!)).toEqual([]);
    await stopRec(call.callId, started.body.recordingId, as.member(call.host)).expect(200);
  });

  it('two consenting joins at once: the last update sent holds both (lists computed at send time, one update at a time)', async () => {
    const [a, b] = [fresh(), fresh()];
    for (const user of [a, b]) await consent(user);
    const call = await callWith([]);
    const started = await startRec(call.callId, as.member(call.host)).expect(201);
    const updates = ofAction('update').length;
    const [ja, jb] = await Promise.all([join(t.http, call.callId, as.member(a)).expect(200), join(t.http, call.callId, as.member(b)).expect(200)]);
    const both = [ja.body.uid as number, jb.body.uid as number].sort((x, y) => x - y).map(String);
    await eventually(() => ofAction('update').length > updates && JSON.stringify(updatedOf(ofAction('update').at(-1)!)) === JSON.stringify(both), 'an update with both members');
    await settle();
    expect(updatedOf(ofAction('update').at(-1)!)).toEqual(both);
    await stopRec(call.callId, started.body.recordingId, as.member(call.host)).expect(200);
  });

  it('starts with empty lists when nobody in the call consented, and records nobody who did not', async () => {
    const [a, b] = [fresh(), fresh()];
    const call = await callWith([a, b]);
    const before = agora.requests.length;
    const started = await startRec(call.callId, as.member(call.host), 'individual').expect(201);
    const [start] = ofAction('start', before);
    expect(start.url).toMatch(/\/mode\/individual\/start$/);
    // Sized for the call's 50 places (33-49 and up is Agora's group 5).
    expect((start.body!.clientRequest as { recordingConfig: Record<string, unknown> }).recordingConfig).toMatchObject({ channelType: 0, streamTypes: 2, subscribeUidGroup: 5 });
    expect(audioOf(start)).toEqual([]);
    expect(videoOf(start)).toEqual([]);
    const c = fresh();
    await join(t.http, call.callId, as.member(c)).expect(200);
    await leave(t.http, call.callId, as.member(a)).expect(200);
    await settle();
    expect(ofAction('update', before)).toEqual([]);
    await stopRec(call.callId, started.body.recordingId, as.member(call.host)).expect(200);
    expect(ofAction('stop', before)[0].url).toMatch(/\/mode\/individual\/stop$/);
  });

  it('one recording at a time per call: 409 RECORDING_ACTIVE, also for two starts at once', async () => {
    const call = await callWith([]);
    const first = await startRec(call.callId, as.member(call.host)).expect(201);
    const again = await startRec(call.callId, as.member(call.host)).expect(409);
    expect(again.body).toMatchObject({ code: 'RECORDING_ACTIVE' });
    await stopRec(call.callId, first.body.recordingId, as.member(call.host)).expect(200);
    // Free again once stopped.
    const second = await startRec(call.callId, as.member(call.host)).expect(201);
    await stopRec(call.callId, second.body.recordingId, as.member(call.host)).expect(200);

    const other = await callWith([]);
    agora.state.startDelayMs = 300;
    const before = ofAction('acquire').length;
    const answers = await Promise.all([startRec(other.callId, as.member(other.host)), startRec(other.callId, as.admin(9_000_001))]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body).toMatchObject({ code: 'RECORDING_ACTIVE' });
    expect(ofAction('acquire').length).toBe(before + 1);
    expect(await rowsOf(other.callId)).toHaveLength(1);
    await stopRec(other.callId, answers.find((a) => a.status === 201)!.body.recordingId, as.member(other.host)).expect(200);
  });

  it('who may start, stop and list: host, moderator, admin start; participants and admins list', async () => {
    const [participant, moderator, outsider] = [fresh(), fresh(), fresh()];
    const call = await callWith([participant, moderator]);
    await t.http.put(`/api/calling/${call.callId}/members/${moderator}`).set(as.member(call.host)).send({ role: 'moderator' }).expect(200);

    const refused = await startRec(call.callId, as.member(participant)).expect(403);
    expect(refused.body).toMatchObject({ code: 'NOT_CALL_MODERATOR' });
    expect((await startRec(call.callId, as.member(outsider)).expect(403)).body).toMatchObject({ code: 'NOT_CALL_MODERATOR' });
    expect((await startRec(call.callId, as.member(call.host)).send({ mode: 'everything' }).expect(400)).body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await startRec(999_999, as.member(call.host)).expect(404)).body).toMatchObject({ code: 'CALL_NOT_FOUND' });

    const byModerator = await startRec(call.callId, as.member(moderator)).expect(201);
    expect((await stopRec(call.callId, byModerator.body.recordingId, as.member(participant)).expect(403)).body).toMatchObject({ code: 'NOT_CALL_MODERATOR' });
    await stopRec(call.callId, byModerator.body.recordingId, as.member(moderator)).expect(200);
    const byAdmin = await startRec(call.callId, as.admin(9_000_002)).expect(201);
    expect((await stopRec(call.callId, byAdmin.body.recordingId + 1000, as.admin(9_000_002)).expect(404)).body).toMatchObject({ code: 'RECORDING_NOT_FOUND' });
    await stopRec(call.callId, byAdmin.body.recordingId, as.admin(9_000_002)).expect(200);

    const listed = await listRec(call.callId, as.member(participant)).expect(200);
    expect(listed.body.recordings.map((r: { recordingId: number }) => r.recordingId)).toEqual([byAdmin.body.recordingId, byModerator.body.recordingId]);
    expect(listed.body.recordings[0]).toEqual({
      recordingId: byAdmin.body.recordingId,
      callId: call.callId,
      mode: 'mix',
      status: 'stopped',
      createdAt: clock.now().toISOString(),
      startedAt: clock.now().toISOString(),
      stoppedAt: clock.now().toISOString(),
      durationSeconds: 0,
      failure: null,
      files: [expect.objectContaining({ fileName: expect.any(String), trackType: 'audio_and_video', uid: '0' }), expect.any(Object)],
    });
    await listRec(call.callId, as.admin(9_000_003)).expect(200);
    expect((await listRec(call.callId, as.member(outsider)).expect(403)).body).toMatchObject({ code: 'CALL_ACCESS_DENIED' });
    expect((await t.http.get('/api/calling/admin/recordings').set(as.member(participant)).expect(403)).body).toMatchObject({ code: 'ADMIN_REQUIRED' });
  });

  it('ending a call stops its recording (host end and admin end alike)', async () => {
    for (const ender of ['host', 'admin'] as const) {
      const call = await callWith([fresh()]);
      const started = await startRec(call.callId, as.member(call.host)).expect(201);
      const stops = ofAction('stop').length;
      if (ender === 'host') await t.http.post(`/api/calling/${call.callId}/end`).set(as.member(call.host)).expect(200);
      else await t.http.post(`/api/calling/admin/${call.callId}/end`).set(as.admin(9_000_004)).expect(200);
      expect(ofAction('stop').length).toBe(stops + 1);
      const [row] = (await listRec(call.callId, as.member(call.host)).expect(200)).body.recordings;
      expect(row).toMatchObject({ recordingId: started.body.recordingId, status: 'stopped', files: [expect.any(Object), expect.any(Object)] });
      expect(await recordingIdOf(call.callId)).toBeNull();
      expect((await startRec(call.callId, as.member(call.host)).expect(404)).body).toMatchObject({ code: 'CALL_ENDED' });
    }
  });

  it('the idle sweeper ending a call stops its recording too', async () => {
    const call = await callWith([]);
    const started = await startRec(call.callId, as.member(call.host)).expect(201);
    const stops = ofAction('stop').length;
    clock.advance(61 * 60_000);
    await t.app.get(PresenceSweeper).sweep();
    expect((await t.http.get(`/api/calling/${call.callId}`).set(as.member(call.host)).expect(200)).body).toMatchObject({ status: 'ended', recording: false });
    expect(ofAction('stop').length).toBeGreaterThanOrEqual(stops + 1);
    expect(await rowsOf(call.callId)).toEqual([{ id: started.body.recordingId, status: 'stopped' }]);
  });

  it('Agora down: 502 RECORDING_UNAVAILABLE and nothing written, at acquire or at start', async () => {
    const call = await callWith([]);
    agora.state.down = 503;
    expect((await startRec(call.callId, as.member(call.host)).expect(502)).body).toMatchObject({ code: 'RECORDING_UNAVAILABLE' });
    expect(await rowsOf(call.callId)).toEqual([]);
    expect(await recordingIdOf(call.callId)).toBeNull();
    agora.state.down = undefined;

    agora.state.failNext.start = 500;
    expect((await startRec(call.callId, as.member(call.host)).expect(502)).body).toMatchObject({ code: 'RECORDING_UNAVAILABLE' });
    expect(await rowsOf(call.callId)).toEqual([]);
    expect(await recordingIdOf(call.callId)).toBeNull();
    expect((await t.http.get(`/api/calling/${call.callId}`).set(as.member(call.host)).expect(200)).body.recording).toBe(false);

    // And the call can be recorded once Agora is back.
    const started = await startRec(call.callId, as.member(call.host)).expect(201);
    // A stop Agora does not answer leaves it running, to be stopped again.
    agora.state.failNext.stop = 503;
    expect((await stopRec(call.callId, started.body.recordingId, as.member(call.host)).expect(502)).body).toMatchObject({ code: 'RECORDING_UNAVAILABLE' });
    expect(await rowsOf(call.callId)).toEqual([{ id: started.body.recordingId, status: 'recording' }]);
    await stopRec(call.callId, started.body.recordingId, as.member(call.host)).expect(200);
  });

  it('a failed update is retried by the reconcile job; a recording whose query says it died is failed', async () => {
    const member = fresh();
    await consent(member);
    const call = await callWith([]);
    const started = await startRec(call.callId, as.member(call.host)).expect(201);
    const updates = ofAction('update').length;
    agora.state.failNext.update = 503;
    const uid = (await join(t.http, call.callId, as.member(member)).expect(200)).body.uid as number;
    await eventually(() => ofAction('update').length === updates + 1, 'the failed update');
    // The join itself succeeded; the reconcile job sends the list again.
    const service = t.app.get(RecordingsReconcileJob);
    await service.reconcile();
    expect(ofAction('update').length).toBe(updates + 2);
    expect(updatedOf(ofAction('update').at(-1)!)).toEqual([String(uid)]);
    await service.reconcile();
    expect(ofAction('update').length).toBe(updates + 2);

    // Agora no longer knows the recorder: failed, and the call is free again.
    const sid = /sid\/(sid-\d+)\//.exec(ofAction('update').at(-1)!.url)![1];
    agora.state.gone.add(sid);
    await service.reconcile();
    const [row] = (await listRec(call.callId, as.member(call.host)).expect(200)).body.recordings;
    expect(row).toMatchObject({ recordingId: started.body.recordingId, status: 'failed', failure: 'agora_exited', stoppedAt: expect.any(String) });
    expect(await recordingIdOf(call.callId)).toBeNull();
  });

  it('a start cut off half way (a crash between reserve and answer) is failed by the reconcile job', async () => {
    const call = await callWith([]);
    await t.dataSource.query(
      "INSERT INTO call_recordings (call_id, channel_name, mode, status, started_by, uid, created_at, purge_attempts) VALUES (?, ?, 'mix', 'starting', ?, ?, ?, 0)",
      [call.callId, call.channelName, call.host, RECORDER_UID, sqlDatetime(new Date(clock.now().getTime() - 10 * 60_000))],
    );
    const [row] = await rowsOf(call.callId);
    await t.dataSource.query('UPDATE calls SET recording_id = ? WHERE id = ?', [row.id, call.callId]);
    expect((await startRec(call.callId, as.member(call.host)).expect(409)).body).toMatchObject({ code: 'RECORDING_ACTIVE' });
    await t.app.get(RecordingsReconcileJob).reconcile();
    expect(await rowsOf(call.callId)).toEqual([{ id: row.id, status: 'failed' }]);
    expect(await recordingIdOf(call.callId)).toBeNull();
  });

  it('a stop cut off half way (sent, answer never recorded) is sent again by the reconcile job', async () => {
    const call = await callWith([]);
    const started = await startRec(call.callId, as.member(call.host)).expect(201);
    await t.dataSource.query("UPDATE call_recordings SET status = 'stopping', stopped_at = ? WHERE id = ?", [sqlDatetime(new Date(clock.now().getTime() - 10 * 60_000)), started.body.recordingId]);
    expect((await t.http.get(`/api/calling/${call.callId}`).set(as.member(call.host)).expect(200)).body.recording).toBe(true);
    const stops = ofAction('stop').length;
    await t.app.get(RecordingsReconcileJob).reconcile();
    expect(ofAction('stop').length).toBe(stops + 1);
    expect(await rowsOf(call.callId)).toEqual([{ id: started.body.recordingId, status: 'stopped' }]);
    expect(await recordingIdOf(call.callId)).toBeNull();
  });

  it('admins list every recording, keyset paged and filtered by time', async () => {
    const call = await callWith([]);
    const ids: number[] = [];
    const start = clock.now();
    for (let i = 0; i < 5; i += 1) {
      clock.advance(60_000);
      const started = await startRec(call.callId, as.member(call.host)).expect(201);
      await stopRec(call.callId, started.body.recordingId, as.member(call.host)).expect(200);
      ids.push(started.body.recordingId);
    }
    const from = new Date(start.getTime() + 1).toISOString();
    const seenIds: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page += 1) {
      const res = await t.http
        .get('/api/calling/admin/recordings')
        .query({ from, limit: 2, ...(cursor ? { cursor } : {}) })
        .set(as.admin(9_000_005))
        .expect(200);
      seenIds.push(...res.body.recordings.map((r: { recordingId: number }) => r.recordingId));
      cursor = res.body.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seenIds).toEqual([...ids].reverse());
    const window = await t.http
      .get('/api/calling/admin/recordings')
      .query({ from: new Date(start.getTime() + 120_000).toISOString(), to: new Date(start.getTime() + 240_000).toISOString() })
      .set(as.admin(9_000_005))
      .expect(200);
    expect(window.body).toEqual({ recordings: [expect.objectContaining({ recordingId: ids[2] }), expect.objectContaining({ recordingId: ids[1] })], nextCursor: null });
    for (const query of [{ cursor: 'not-a-cursor!' }, { cursor: 'bm9wZQ' }, { from: 'yesterday' }, { limit: 0 }, { from: window.body.recordings[0].createdAt, to: window.body.recordings[0].createdAt }]) {
      const bad = await t.http.get('/api/calling/admin/recordings').query(query).set(as.admin(9_000_005)).expect(400);
      expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('retention: 30 days after the stop the files are deleted from the bucket, then the row; a failed delete keeps the row', async () => {
    const call = await callWith([]);
    const kept = await startRec(call.callId, as.member(call.host)).expect(201);
    const keptSid = ((await t.dataSource.query('SELECT sid FROM call_recordings WHERE id = ?', [kept.body.recordingId])) as Array<{ sid: string }>)[0].sid;
    await stopRec(call.callId, kept.body.recordingId, as.member(call.host)).expect(200);
    const retention = t.app.get(RetentionService);
    const now = clock.now();
    try {
      // 29 days later nothing of it goes.
      clock.set(new Date(now.getTime() + 29 * DAY_MS));
      const deletesBefore = s3.deletes.length;
      await retention.purge();
      expect(await rowsOf(call.callId)).toHaveLength(1);
      expect(s3.deletes.slice(deletesBefore).flatMap((d) => d.keys).filter((k) => k.includes(`/${keptSid}_`))).toEqual([]);

      // 31 days later, with the bucket failing: the row stays, with the attempt counted.
      clock.set(new Date(now.getTime() + 31 * DAY_MS));
      s3.state.failing = true;
      await retention.purge();
      expect(s3.deletes.length).toBeGreaterThan(deletesBefore);
      expect(await rowsOf(call.callId)).toEqual([{ id: kept.body.recordingId, status: 'stopped' }]);
      const [row] = (await t.dataSource.query('SELECT purge_attempts FROM call_recordings WHERE id = ?', [kept.body.recordingId])) as Array<{ purge_attempts: number }>;
      expect(Number(row.purge_attempts)).toBe(1);

      // The bucket works again: the files go first (the row is still there while they are deleted), then the row.
      s3.state.failing = false;
      const rowDuringDelete: number[] = [];
      s3.state.onDelete = async () => {
        rowDuringDelete.push((await rowsOf(call.callId)).length);
      };
      const files = (await listRec(call.callId, as.member(call.host)).expect(200)).body.recordings[0].files.map((f: { fileName: string }) => f.fileName);
      const report = await retention.purge();
      expect(report.recordings).toBeGreaterThanOrEqual(1);
      const mine = s3.deletes.filter((d) => d.keys.some((k) => files.includes(k))).at(-1)!;
      expect(mine.keys).toEqual(files);
      expect(mine.path).toMatch(/^\/ikoota-recordings\/?\?delete/);
      expect(mine.auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIATESTKEY\/\d{8}\/us-east-1\/s3\/aws4_request/);
      expect(rowDuringDelete).toContain(1);
      expect(await rowsOf(call.callId)).toEqual([]);
    } finally {
      clock.set(now);
    }
  });
});

describe('Recording status from Agora Notification Center events', () => {
  const SECRET = 'ncs-secret-for-recording-tests';
  const clock = new FakeClock('2026-03-05T10:00:00.000Z');
  let agora: FakeAgora;
  let t: TestApp;

  beforeAll(async () => {
    agora = await fakeAgora();
    t = await startApp({ ...recordingEnv('', 'http://127.0.0.1:9'), AGORA_API_BASE_URL: agora.url, AGORA_NCS_SECRET: SECRET }, undefined, clock);
  });
  afterAll(async () => {
    await t?.close();
    await agora.close();
  });

  const notice = (body: object) => {
    const raw = JSON.stringify(body);
    return t.http
      .post('/api/calling/webhooks/agora')
      .set('Content-Type', 'application/json')
      .set('Agora-Signature-V2', createHmac('sha256', SECRET).update(raw).digest('hex'))
      .send(raw);
  };

  it('a recorder exit nobody asked for fails the recording; the exit after a stop changes nothing; no query with webhooks on', async () => {
    const host = 18_001;
    const call = await createCall(t.http, host);
    const started = await t.http.post(`/api/calling/${call.callId}/recordings`).set(as.member(host)).send({ mode: 'mix' }).expect(201);
    const sid = /"sid":"(sid-\d+)"/.exec(JSON.stringify(await t.dataSource.query('SELECT sid FROM call_recordings WHERE id = ?', [started.body.recordingId])))![1];

    await t.app.get(RecordingsReconcileJob).reconcile();
    expect(agora.requests.filter((r) => r.url.endsWith('/query'))).toEqual([]);

    const exit = { noticeId: `rec-exit-${sid}`, productId: 3, eventType: 11, notifyMs: Date.now(), payload: { cname: call.channelName, uid: String(RECORDER_UID), sid, sequence: 3, sendts: Date.now(), serviceType: 0, details: { msgName: 'session_exit', exitStatus: 0 } } };
    await notice(exit).expect(200);
    const [row] = (await t.http.get(`/api/calling/${call.callId}/recordings`).set(as.member(host)).expect(200)).body.recordings;
    expect(row).toMatchObject({ status: 'failed', failure: 'agora_exited' });
    expect((await t.http.get(`/api/calling/${call.callId}`).set(as.member(host)).expect(200)).body.recording).toBe(false);

    // A stopped recording's exit notice is the normal end of it.
    const second = await t.http.post(`/api/calling/${call.callId}/recordings`).set(as.member(host)).send({ mode: 'mix' }).expect(201);
    await t.http.delete(`/api/calling/${call.callId}/recordings/${second.body.recordingId}`).set(as.member(host)).expect(200);
    const sid2 = ((await t.dataSource.query('SELECT sid FROM call_recordings WHERE id = ?', [second.body.recordingId])) as Array<{ sid: string }>)[0].sid;
    await notice({ ...exit, noticeId: `rec-exit-${sid2}`, payload: { ...exit.payload, sid: sid2 } }).expect(200);
    const rows = (await t.http.get(`/api/calling/${call.callId}/recordings`).set(as.member(host)).expect(200)).body.recordings;
    expect(rows[0]).toMatchObject({ recordingId: second.body.recordingId, status: 'stopped' });
    // A recording notice without a sid is refused.
    await notice({ ...exit, noticeId: 'rec-no-sid', payload: { cname: call.channelName } }).expect(400);
  });
});

describe('Recording when it is not configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({});
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 RECORDING_NOT_CONFIGURED to a start, 404 to a stop of nothing, and lists nothing', async () => {
    const call = await createCall(t.http, 19_001);
    expect((await t.http.post(`/api/calling/${call.callId}/recordings`).set(as.member(19_001)).send({ mode: 'mix' }).expect(503)).body).toMatchObject({ code: 'RECORDING_NOT_CONFIGURED' });
    expect((await t.http.delete(`/api/calling/${call.callId}/recordings/1`).set(as.member(19_001)).expect(404)).body).toMatchObject({ code: 'RECORDING_NOT_FOUND' });
    expect((await t.http.get(`/api/calling/${call.callId}/recordings`).set(as.member(19_001)).expect(200)).body).toEqual({ recordings: [] });
    expect((await t.http.get('/api/calling/preferences').set(as.member(19_001)).expect(200)).body.recording_consent).toBe(false);
  });

  it('refuses to start with recording storage half configured, naming what is missing and no secret', async () => {
    // On SQLite in memory whatever TEST_DB says: the app never gets as far as a database.
    const half = { AGORA_CUSTOMER_ID: 'c', AGORA_CUSTOMER_SECRET: 's', RECORDING_STORAGE_BUCKET: 'ikoota-recordings', RECORDING_STORAGE_SECRET_KEY: 'very-secret-key' };
    const refusal = await startApp(half, 'sqlite::memory:').then(
      async (app) => {
        await app.close();
        return undefined;
      },
      (error: Error) => error,
    );
    expect(refusal?.message).toMatch(/recording storage is partly configured: RECORDING_STORAGE_VENDOR, RECORDING_STORAGE_REGION, RECORDING_STORAGE_ACCESS_KEY, RECORDING_STORAGE_PREFIX missing/);
    expect(refusal?.message).not.toContain('very-secret-key');
  });
});
