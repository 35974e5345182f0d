import { createHash, createHmac } from 'node:crypto';
import { IdempotencyKey } from '../src/idempotency/entities/idempotency-key.entity';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ContractDocument, ContractValidator } from './support/contract-validator';
import { as, bearer, ikootaClaims, signToken } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

/**
 * The contract test: drives every operation of the live OpenAPI document (/api/docs-json) through
 * its documented outcomes (the spec's member flow, what hosts, moderators and admins do, direct
 * calls, recordings, webhooks, the event stream) and through the refusals 400, 401, 403, 404, 409,
 * 413, 415 and 429, over real HTTP, and checks every single answer against the document: status
 * documented for the operation, media type, body schema, documented headers (ContractValidator).
 * Then it checks that every status each operation documents below 500 was seen at least once, so
 * a status documented but never answered (or answered but not documented) fails here.
 */

type Auth = Record<string, string>;
interface Request {
  params?: Record<string, string | number>;
  query?: Record<string, string | number>;
  /** A JSON body. */
  body?: unknown;
  /** A body sent as it is, with `contentType`. */
  raw?: string;
  contentType?: string;
  auth?: Auth;
  headers?: Record<string, string>;
  /** The status this request must get (the test fails with the body otherwise). */
  expect?: number;
}
interface Received {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

const NCS_SECRET = 'ncs-secret-for-the-contract-test';
const HOST = 41_001;
const MEMBER = 41_002;
const GUEST = 41_003;
const OUTSIDER = 41_004;
const ERASED = 41_009;
const ADMIN = 49_001;
const NO_CALL = 999_999;

/** Enough of Agora's REST API for Cloud Recording and kicking rules; `down` makes it answer 503. */
async function fakeAgora() {
  const state = { down: false, startDelayMs: 0 };
  let next = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      void (async () => {
        const path = req.url ?? '';
        const send = (status: number, body: object) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        if (state.down) return send(503, { code: 503, reason: 'down on demand' });
        const match = /\/cloud_recording\/(?:acquire|resourceid\/([^/]+)\/(?:sid\/([^/]+)\/)?mode\/\w+\/(start|update|query|stop))$/.exec(path);
        if (!match) return send(200, { status: 'success', id: (next += 1) });
        const [, resourceId, sid, action = 'acquire'] = match;
        if (action === 'acquire') return send(200, { resourceId: `res-${(next += 1)}` });
        if (action === 'start') {
          if (state.startDelayMs) await new Promise((resolve) => setTimeout(resolve, state.startDelayMs));
          return send(200, { resourceId, sid: `sid-${(next += 1)}` });
        }
        if (action === 'stop') {
          return send(200, { resourceId, sid, serverResponse: { fileListMode: 'json', uploadingStatus: 'uploaded', fileList: [{ fileName: `rec/${sid}.m3u8`, trackType: 'audio_and_video', uid: '0', mixedAllUser: true, isPlayable: true, sliceStartTime: 1 }] } });
        }
        return send(200, { resourceId, sid, serverResponse: { status: 5, fileList: [] } });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state };
}

describe('The contract: every answer matches the OpenAPI document', () => {
  let agora: Awaited<ReturnType<typeof fakeAgora>>;
  let main: TestApp;
  let limited: TestApp;
  let mainUrl: string;
  let limitedUrl: string;
  let contract: ContractValidator;
  let document: ContractDocument;
  const seen = new Map<string, Set<number>>();
  const violations: string[] = [];

  beforeAll(async () => {
    agora = await fakeAgora();
    main = await startApp({
      AGORA_NCS_SECRET: NCS_SECRET,
      AGORA_CUSTOMER_ID: 'customer-id',
      AGORA_CUSTOMER_SECRET: 'customer-secret',
      AGORA_API_BASE_URL: agora.url,
      RECORDING_STORAGE_VENDOR: '11',
      RECORDING_STORAGE_REGION: '0',
      RECORDING_STORAGE_BUCKET: 'ikoota-recordings',
      RECORDING_STORAGE_ACCESS_KEY: 'AKIATESTKEY',
      RECORDING_STORAGE_SECRET_KEY: 'storage-secret-value',
      RECORDING_STORAGE_PREFIX: 'ikoota/recordings',
      RECORDING_STORAGE_ENDPOINT: 'http://127.0.0.1:9',
    });
    // Every limit 1 per window: the second request of a caller to a route is refused.
    limited = await startApp({ RATE_LIMIT_SCALE: '0.0001' });
    await main.app.listen(0, '127.0.0.1');
    await limited.app.listen(0, '127.0.0.1');
    mainUrl = (await main.app.getUrl()).replace('[::1]', '127.0.0.1');
    limitedUrl = (await limited.app.getUrl()).replace('[::1]', '127.0.0.1');
    document = (await (await fetch(`${mainUrl}/api/docs-json`)).json()) as ContractDocument;
    contract = new ContractValidator(document);
  });

  afterAll(async () => {
    await main?.close();
    await limited?.close();
    await new Promise((resolve) => agora?.server.close(resolve));
  });

  /** Sends one request to an operation of the document and checks the answer against it. */
  async function send(operationId: string, request: Request = {}, base = mainUrl): Promise<Received> {
    const operation = contract.operation(operationId);
    let url = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
      const value = request.params?.[name];
      if (value === undefined) throw new Error(`${operationId}: no value for {${name}}`);
      return encodeURIComponent(String(value));
    });
    if (request.query) url += `?${new URLSearchParams(Object.entries(request.query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
    const headers: Record<string, string> = { ...request.auth, ...request.headers };
    let body: string | undefined;
    if (request.raw !== undefined) {
      body = request.raw;
      if (request.contentType) headers['content-type'] = request.contentType;
    } else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    const abort = new AbortController();
    const response = await fetch(`${base}${url}`, { method: operation.method.toUpperCase(), headers, body, signal: abort.signal });
    const contentType = response.headers.get('content-type') ?? '';
    let parsed: unknown;
    if (contentType.startsWith('text/event-stream')) {
      // A live stream: the status and headers are the answer; the events never end.
      abort.abort();
    } else {
      const text = await response.text();
      parsed = text === '' ? undefined : contentType.startsWith('application/json') ? (JSON.parse(text) as unknown) : text;
    }
    const where = `${operationId} ${operation.method.toUpperCase()} ${url} -> ${response.status}`;
    for (const problem of contract.checkAnswer(operationId, { status: response.status, headers: response.headers, body: parsed })) violations.push(`${where}: ${problem}`);
    if (response.ok && request.raw === undefined) {
      for (const problem of contract.checkRequestBody(operationId, request.body)) violations.push(`${where}: ${problem}`);
    }
    if (!seen.has(operationId)) seen.set(operationId, new Set());
    seen.get(operationId)!.add(response.status);
    if (request.expect !== undefined && response.status !== request.expect) {
      throw new Error(`${where}, expected ${request.expect}: ${JSON.stringify(parsed)}`);
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  const member = (id: number): Auth => as.member(id);
  const admin = as.admin(ADMIN);
  const signed = (body: object) => {
    const raw = JSON.stringify(body);
    return { raw, contentType: 'application/json', headers: { 'Agora-Signature-V2': createHmac('sha256', NCS_SECRET).update(raw).digest('hex') } };
  };

  let callA: { callId: number; channelName: string };
  let callB: { callId: number; channelName: string };
  let memberUid: number;

  it('runs the spec member flow: create, invite, join, token, media, heartbeat, my-calls, call, preferences', async () => {
    callA = (await send('createCall', { auth: member(HOST), body: { title: 'Contract call', description: 'Private', isPublic: false, maxParticipants: 25 }, expect: 201 })).body;
    // A public call by someone else: my-calls shows it with role null.
    callB = (await send('createCall', { auth: member(GUEST), body: { title: 'Open call', isPublic: true }, expect: 201 })).body;
    await send('createCall', { auth: member(HOST), body: { title: '' }, expect: 400 });
    await send('inviteMembers', { auth: member(HOST), params: { callId: callA.callId }, body: { userIds: [MEMBER, GUEST] }, expect: 200 });
    await send('inviteMembers', { auth: member(MEMBER), params: { callId: callA.callId }, body: { userIds: [OUTSIDER] }, expect: 403 });
    await send('inviteMembers', { auth: admin, params: { callId: NO_CALL }, body: { userIds: [OUTSIDER] }, expect: 404 });
    await send('joinCall', { auth: member(HOST), params: { callId: callA.callId }, expect: 200 });
    const joined = await send('joinCall', { auth: member(MEMBER), params: { callId: callA.callId }, body: { media: 'video' }, expect: 200 });
    memberUid = joined.body.uid;
    await send('joinCall', { auth: member(GUEST), params: { callId: callA.callId }, body: { media: 'audio' }, expect: 200 });
    await send('joinCall', { auth: member(OUTSIDER), params: { callId: callA.callId }, expect: 403 });
    await send('joinCall', { auth: member(HOST), params: { callId: NO_CALL }, expect: 404 });
    await send('joinCall', { auth: member(HOST), params: { callId: callA.callId }, body: { media: 'smell' }, expect: 400 });

    await send('issueToken', { auth: member(MEMBER), body: { channelName: callA.channelName }, expect: 200 });
    await send('issueToken', { auth: member(MEMBER), body: { channelName: callA.channelName, uid: memberUid, role: 'publisher' }, expect: 200 });
    await send('issueToken', { auth: member(GUEST), body: { channelName: callA.channelName, uid: memberUid }, expect: 409 });
    await send('issueToken', { auth: member(OUTSIDER), body: { channelName: callA.channelName, uid: 123_456 }, expect: 403 });
    await send('issueToken', { auth: member(MEMBER), body: { channelName: callA.channelName, uid: 0 }, expect: 400 });

    await send('switchMedia', { auth: member(MEMBER), params: { callId: callA.callId }, body: { media: 'audio' }, expect: 200 });
    await send('switchMedia', { auth: member(OUTSIDER), params: { callId: callA.callId }, body: { media: 'audio' }, expect: 403 });
    await send('switchMedia', { auth: member(MEMBER), params: { callId: NO_CALL }, body: { media: 'audio' }, expect: 404 });
    await send('sendHeartbeat', { auth: member(MEMBER), params: { callId: callA.callId }, expect: 200 });
    await send('sendHeartbeat', { auth: member(MEMBER), params: { callId: NO_CALL }, expect: 404 });

    const mine = await send('listMyCalls', { auth: member(MEMBER), expect: 200 });
    expect(mine.body.find((row: { id: number }) => row.id === callB.callId)).toMatchObject({ role: null });
    await send('listMyCalls', { auth: member(MEMBER), query: { scope: 'mine', status: 'active', limit: 5 }, expect: 200 });
    await send('listMyCalls', { auth: member(MEMBER), query: { limit: 0 }, expect: 400 });
    await send('getCall', { auth: member(MEMBER), params: { callId: callA.callId }, expect: 200 });
    await send('getCall', { auth: member(OUTSIDER), params: { callId: callA.callId }, expect: 403 });
    await send('getCall', { auth: admin, params: { callId: NO_CALL }, expect: 404 });

    await send('getPreferences', { auth: member(MEMBER), expect: 200 });
    await send('updatePreferences', { auth: member(MEMBER), body: { preferred_avatar: 'avatar_002.png', video_quality: 'sd', recording_consent: true }, expect: 200 });
    await send('updatePreferences', { auth: member(MEMBER), body: { preferred_avatar: null }, expect: 200 });
    await send('updatePreferences', { auth: member(MEMBER), body: { preferred_avatar: '../etc/passwd.png' }, expect: 400 });
    await send('getPreferences', { auth: member(MEMBER), expect: 200 });
  });

  it('runs what hosts, moderators and admins do to a call', async () => {
    const { callId } = callA;
    await send('setMemberRole', { auth: member(HOST), params: { callId, member: String(MEMBER) }, body: { role: 'moderator' }, expect: 200 });
    await send('setMemberRole', { auth: member(HOST), params: { callId, member: String(HOST) }, body: { role: 'participant' }, expect: 409 });
    await send('setMemberRole', { auth: member(HOST), params: { callId, member: '888888' }, body: { role: 'moderator' }, expect: 404 });
    await send('setMemberRole', { auth: member(GUEST), params: { callId, member: String(MEMBER) }, body: { role: 'participant' }, expect: 403 });
    await send('setMemberRole', { auth: member(HOST), params: { callId, member: 'not-a-member' }, body: { role: 'moderator' }, expect: 400 });

    await send('muteMember', { auth: member(MEMBER), params: { callId, member: String(GUEST) }, body: { audio: true }, expect: 200 });
    await send('muteMember', { auth: member(HOST), params: { callId, member: String(GUEST) }, body: { audio: false, video: false }, expect: 200 });
    await send('muteMember', { auth: member(GUEST), params: { callId, member: String(HOST) }, body: { audio: true }, expect: 403 });
    await send('muteMember', { auth: member(HOST), params: { callId, member: '888888' }, body: { audio: true }, expect: 404 });

    await send('updateCall', { auth: member(HOST), params: { callId }, body: { title: 'Contract call (edited)', description: null }, expect: 200 });
    await send('updateCall', { auth: member(HOST), params: { callId }, body: { maxParticipants: 2 }, expect: 409 });
    await send('updateCall', { auth: member(OUTSIDER), params: { callId }, body: { title: 'Mine now' }, expect: 403 });
    await send('updateCall', { auth: member(HOST), params: { callId: NO_CALL }, body: { title: 'Nothing' }, expect: 404 });
    await send('updateCall', { auth: member(HOST), params: { callId }, body: { colour: 'red' }, expect: 400 });

    // A paused call admits nobody new.
    await send('pauseCall', { auth: member(GUEST), params: { callId: callB.callId }, expect: 200 });
    await send('pauseCall', { auth: member(OUTSIDER), params: { callId: callB.callId }, expect: 403 });
    await send('pauseCall', { auth: member(GUEST), params: { callId: NO_CALL }, expect: 404 });
    await send('joinCall', { auth: member(OUTSIDER), params: { callId: callB.callId }, expect: 409 });
    await send('switchMedia', { auth: member(OUTSIDER), params: { callId: callB.callId }, body: { media: 'video' }, expect: 409 });
    await send('sendHeartbeat', { auth: member(OUTSIDER), params: { callId: callB.callId }, expect: 409 });
    await send('resumeCall', { auth: member(GUEST), params: { callId: callB.callId }, expect: 200 });
    await send('resumeCall', { auth: member(OUTSIDER), params: { callId: callB.callId }, expect: 403 });
    await send('resumeCall', { auth: member(GUEST), params: { callId: NO_CALL }, expect: 404 });
    await send('joinCall', { auth: member(OUTSIDER), params: { callId: callB.callId }, expect: 200 });

    // A scheduled call (issue 24): members wait until it opens (Retry-After); PATCH moves it; my-calls lists it as upcoming.
    const inADay = (ms = 0) => new Date(Date.now() + 86_400_000 + ms).toISOString();
    const scheduled = (await send('createCall', { auth: member(GUEST), body: { title: 'Scheduled', isPublic: true, startsAt: inADay(), endsAt: inADay(3_600_000) }, expect: 201 })).body;
    const early = await send('joinCall', { auth: member(OUTSIDER), params: { callId: scheduled.callId }, expect: 409 });
    expect({ code: early.body.code, waits: Number(early.headers.get('retry-after')) > 0 }).toEqual({ code: 'CALL_NOT_STARTED', waits: true });
    await send('updateCall', { auth: member(GUEST), params: { callId: scheduled.callId }, body: { startsAt: inADay(1_800_000), endsAt: null }, expect: 200 });
    await send('updateCall', { auth: member(GUEST), params: { callId: scheduled.callId }, body: { endsAt: inADay() }, expect: 400 });
    const upcoming = await send('listMyCalls', { auth: member(OUTSIDER), query: { upcoming: 'true', limit: 5 }, expect: 200 });
    expect(upcoming.body.map((row: { id: number }) => row.id)).toContain(scheduled.callId);

    await send('removeParticipant', { auth: member(OUTSIDER), params: { callId, member: String(GUEST) }, expect: 403 });
    await send('removeParticipant', { auth: member(HOST), params: { callId, member: '888888' }, expect: 404 });
    await send('removeParticipant', { auth: member(HOST), params: { callId, member: String(GUEST) }, expect: 200 });
    // Removed: no heartbeat, no rejoin.
    await send('sendHeartbeat', { auth: member(GUEST), params: { callId }, expect: 403 });
  });

  it('keeps members in the lobby, and lets the host, moderators and admins decide (issue 24)', async () => {
    const lobbyCall = (await send('createCall', { auth: member(HOST), body: { title: 'Lobby call', isPublic: true, lobby: true, waitForHost: true }, expect: 201 })).body;
    const callId = lobbyCall.callId as number;
    await send('updateCall', { auth: member(HOST), params: { callId }, body: { waitForHost: false }, expect: 200 });
    const waiting = await send('joinCall', { auth: member(OUTSIDER), params: { callId }, expect: 202 });
    expect(waiting.body).toMatchObject({ status: 'waiting', lobby: { position: 1 } });
    await send('joinCall', { auth: member(MEMBER), params: { callId }, expect: 202 });
    await send('joinCall', { auth: member(GUEST), params: { callId }, expect: 202 });
    await send('listLobby', { auth: member(HOST), params: { callId }, expect: 200 });
    await send('listLobby', { auth: member(OUTSIDER), params: { callId }, expect: 403 });
    await send('listLobby', { auth: admin, params: { callId: NO_CALL }, expect: 404 });
    await send('denyFromLobby', { auth: member(HOST), params: { callId, member: String(OUTSIDER) }, expect: 200 });
    await send('joinCall', { auth: member(OUTSIDER), params: { callId }, expect: 403 });
    await send('denyFromLobby', { auth: member(OUTSIDER), params: { callId, member: String(MEMBER) }, expect: 403 });
    await send('denyFromLobby', { auth: member(HOST), params: { callId, member: String(HOST) }, expect: 404 });
    await send('admitFromLobby', { auth: admin, params: { callId, member: String(OUTSIDER) }, expect: 200 });
    await send('admitFromLobby', { auth: member(MEMBER), params: { callId, member: String(OUTSIDER) }, expect: 403 });
    await send('admitFromLobby', { auth: member(HOST), params: { callId: NO_CALL, member: String(OUTSIDER) }, expect: 404 });
    await send('admitAllFromLobby', { auth: member(HOST), params: { callId }, expect: 200 });
    await send('admitAllFromLobby', { auth: member(GUEST), params: { callId }, expect: 403 });
    await send('admitAllFromLobby', { auth: member(HOST), params: { callId: NO_CALL }, expect: 404 });
    await send('joinCall', { auth: member(OUTSIDER), params: { callId }, expect: 200 });
    await send('getCall', { auth: member(HOST), params: { callId }, expect: 200 });
    await send('leaveCall', { auth: member(OUTSIDER), params: { callId }, expect: 200 });
  });

  it('runs a stage: listeners, tokens, hands and speakers', async () => {
    const stage = (await send('createCall', { auth: member(HOST), body: { title: 'Contract stage', isPublic: true, mode: 'stage', maxSpeakers: 2, maxParticipants: 5000 }, expect: 201 })).body;
    const { callId } = stage;
    await send('joinCall', { auth: member(HOST), params: { callId }, expect: 200 });
    await send('joinCall', { auth: member(MEMBER), params: { callId }, expect: 200 });
    await send('joinCall', { auth: member(OUTSIDER), params: { callId }, expect: 200 });
    await send('issueToken', { auth: member(MEMBER), body: { channelName: stage.channelName }, expect: 200 });
    await send('issueToken', { auth: member(MEMBER), body: { channelName: stage.channelName, role: 'publisher' }, expect: 403 });

    await send('raiseHand', { auth: member(MEMBER), params: { callId }, body: { raised: true }, expect: 200 });
    await send('raiseHand', { auth: member(HOST), params: { callId }, body: { raised: true }, expect: 409 });
    await send('raiseHand', { auth: member(GUEST), params: { callId }, body: { raised: true }, expect: 403 });
    await send('raiseHand', { auth: member(MEMBER), params: { callId: NO_CALL }, body: { raised: true }, expect: 404 });
    await send('raiseHand', { auth: member(MEMBER), params: { callId }, body: { raised: 'yes' }, expect: 400 });
    await send('listHands', { auth: member(HOST), params: { callId }, query: { limit: 10 }, expect: 200 });
    await send('listHands', { auth: member(MEMBER), params: { callId }, expect: 403 });
    await send('listHands', { auth: admin, params: { callId: NO_CALL }, expect: 404 });
    await send('listHands', { auth: member(HOST), params: { callId }, query: { limit: 0 }, expect: 400 });
    await send('listHands', { auth: member(GUEST), params: { callId: callB.callId }, expect: 409 });

    await send('promoteSpeaker', { auth: member(HOST), params: { callId, member: String(MEMBER) }, expect: 200 });
    await send('promoteSpeaker', { auth: member(HOST), params: { callId, member: String(OUTSIDER) }, expect: 409 });
    await send('promoteSpeaker', { auth: member(OUTSIDER), params: { callId, member: String(OUTSIDER) }, expect: 403 });
    await send('promoteSpeaker', { auth: member(HOST), params: { callId, member: '888888' }, expect: 404 });
    await send('promoteSpeaker', { auth: member(HOST), params: { callId, member: 'not-a-member' }, expect: 400 });
    await send('demoteSpeaker', { auth: member(MEMBER), params: { callId, member: String(MEMBER) }, expect: 200 });
    await send('demoteSpeaker', { auth: member(HOST), params: { callId, member: String(HOST) }, expect: 409 });
    await send('demoteSpeaker', { auth: member(OUTSIDER), params: { callId, member: String(HOST) }, expect: 403 });
    await send('demoteSpeaker', { auth: member(HOST), params: { callId: NO_CALL, member: String(MEMBER) }, expect: 404 });
    await send('demoteSpeaker', { auth: member(HOST), params: { callId, member: 'not-a-member' }, expect: 400 });
    await send('getCall', { auth: member(MEMBER), params: { callId }, expect: 200 });
    await send('leaveCall', { auth: member(OUTSIDER), params: { callId }, expect: 200 });
    await send('endCall', { auth: member(HOST), params: { callId }, expect: 200 });
  });

  it('records, with consent, and lists and stops recordings', async () => {
    const { callId } = callA;
    const started = await send('startRecording', { auth: member(HOST), params: { callId }, body: { mode: 'mix' }, expect: 201 });
    await send('startRecording', { auth: member(HOST), params: { callId }, body: { mode: 'mix' }, expect: 409 });
    await send('startRecording', { auth: member(OUTSIDER), params: { callId }, body: { mode: 'mix' }, expect: 403 });
    await send('startRecording', { auth: member(HOST), params: { callId: NO_CALL }, body: { mode: 'mix' }, expect: 404 });
    await send('startRecording', { auth: member(HOST), params: { callId }, body: { mode: 'audio-only' }, expect: 400 });
    await send('listRecordings', { auth: member(MEMBER), params: { callId }, expect: 200 });
    await send('listRecordings', { auth: member(OUTSIDER), params: { callId }, expect: 403 });
    await send('listRecordings', { auth: admin, params: { callId: NO_CALL }, expect: 404 });
    const recordingId = started.body.recordingId as number;
    await send('stopRecording', { auth: member(OUTSIDER), params: { callId, recordingId }, expect: 403 });
    await send('stopRecording', { auth: member(HOST), params: { callId, recordingId: recordingId + 1000 }, expect: 404 });
    await send('stopRecording', { auth: member(HOST), params: { callId, recordingId }, expect: 200 });
    await send('listRecordings', { auth: member(MEMBER), params: { callId }, expect: 200 });

    // Stopping a recording that is still starting is 409.
    agora.state.startDelayMs = 800;
    const starting = send('startRecording', { auth: member(HOST), params: { callId }, body: { mode: 'individual' }, expect: 201 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const page = await send('listAllRecordings', { auth: admin, expect: 200 });
    const pending = (page.body.recordings as Array<{ recordingId: number; status: string }>).find((r) => r.status === 'starting');
    expect(pending).toBeDefined();
    await send('stopRecording', { auth: member(HOST), params: { callId, recordingId: pending!.recordingId }, expect: 409 });
    const second = await starting;
    agora.state.startDelayMs = 0;
    await send('stopRecording', { auth: member(HOST), params: { callId, recordingId: second.body.recordingId }, expect: 200 });

    // Agora not answering: 502, nothing kept.
    agora.state.down = true;
    await send('startRecording', { auth: member(HOST), params: { callId }, body: { mode: 'mix' }, expect: 502 });
    agora.state.down = false;
    await send('listAllRecordings', { auth: admin, query: { limit: 1 }, expect: 200 });
    await send('listAllRecordings', { auth: admin, query: { limit: 0 }, expect: 400 });
  });

  it("runs an admin's reads and actions, and the ends of calls", async () => {
    const { callId } = callA;
    await send('getCallDetails', { auth: admin, params: { callId }, expect: 200 });
    await send('getCallDetails', { auth: admin, params: { callId: NO_CALL }, expect: 404 });
    await send('getAnalytics', { auth: admin, expect: 200 });
    await send('getAnalytics', { auth: admin, query: { days: 7, groupBy: 'week' }, expect: 200 });
    await send('getAnalytics', { auth: admin, query: { days: 0 }, expect: 400 });
    await send('listCalls', { auth: admin, query: { limit: 1 }, expect: 200 });
    await send('listCalls', { auth: admin, query: { limit: 0 }, expect: 400 });
    await send('getOverview', { auth: admin, expect: 200 });
    await send('exportSessionsCsv', { auth: admin, query: { callId }, expect: 200 });
    await send('exportSessionsCsv', { auth: admin, query: { callId: 0 }, expect: 400 });
    await send('listEvents', { auth: admin, query: { status: 'pending' }, expect: 200 });
    await send('listEvents', { auth: admin, query: { limit: 0 }, expect: 400 });

    await send('removeParticipantAsAdmin', { auth: admin, params: { callId, userId: OUTSIDER }, expect: 404 });
    await send('removeParticipantAsAdmin', { auth: admin, params: { callId: NO_CALL, userId: MEMBER }, expect: 404 });
    await send('removeParticipantAsAdmin', { auth: admin, params: { callId, userId: MEMBER }, expect: 200 });

    await send('leaveCall', { auth: member(HOST), params: { callId }, expect: 200 });
    await send('leaveCall', { auth: member(HOST), params: { callId }, expect: 200 });
    await send('leaveCall', { auth: member(HOST), params: { callId: NO_CALL }, expect: 404 });
    await send('sendHeartbeat', { auth: member(HOST), params: { callId }, expect: 403 });

    await send('endCall', { auth: member(MEMBER), params: { callId }, expect: 403 });
    await send('endCall', { auth: member(HOST), params: { callId }, expect: 200 });
    await send('endCall', { auth: member(HOST), params: { callId }, expect: 409 });
    await send('endCall', { auth: member(HOST), params: { callId: NO_CALL }, expect: 404 });
    await send('endCallAsAdmin', { auth: admin, params: { callId: callB.callId }, expect: 200 });
    await send('endCallAsAdmin', { auth: admin, params: { callId: callB.callId }, expect: 409 });
    await send('endCallAsAdmin', { auth: admin, params: { callId: NO_CALL }, expect: 404 });
    // Ended calls, with who ended them, in the admin's list and details.
    await send('listCalls', { auth: admin, query: { status: 'ended' }, expect: 200 });
    await send('getCallDetails', { auth: admin, params: { callId }, expect: 200 });
    await send('listMyCalls', { auth: member(HOST), query: { status: 'ended' }, expect: 200 });

    // Erasure (issue 26): a member with preferences, then again (zeros).
    await send('updatePreferences', { auth: member(ERASED), body: { video_quality: 'sd' }, expect: 200 });
    await send('eraseMember', { auth: admin, params: { member: ERASED }, expect: 200 });
    await send('eraseMember', { auth: admin, params: { member: ERASED }, expect: 200 });
  });

  it('runs direct calls: start, accept, decline, cancel and their refusals', async () => {
    const start = () => send('startDirectCall', { auth: member(MEMBER), body: { callee: GUEST, media: 'audio' }, expect: 201 });
    await send('startDirectCall', { auth: member(MEMBER), body: { callee: MEMBER, media: 'audio' }, expect: 400 });
    await send('startDirectCall', { auth: member(MEMBER), body: { callee: 'OTO#ZZZZZ9', media: 'audio' }, expect: 404 });
    const accepted = (await start()).body.callId as number;
    await send('acceptDirectCall', { auth: member(MEMBER), params: { callId: accepted }, expect: 403 });
    await send('acceptDirectCall', { auth: member(GUEST), params: { callId: accepted }, expect: 200 });
    await send('acceptDirectCall', { auth: member(GUEST), params: { callId: accepted }, expect: 409 });
    await send('acceptDirectCall', { auth: member(GUEST), params: { callId: callB.callId }, expect: 404 });
    const declined = (await start()).body.callId as number;
    await send('declineDirectCall', { auth: member(MEMBER), params: { callId: declined }, expect: 403 });
    await send('declineDirectCall', { auth: member(GUEST), params: { callId: declined }, expect: 200 });
    await send('declineDirectCall', { auth: member(GUEST), params: { callId: declined }, expect: 409 });
    await send('declineDirectCall', { auth: member(GUEST), params: { callId: callB.callId }, expect: 404 });
    const cancelled = (await start()).body.callId as number;
    await send('cancelDirectCall', { auth: member(GUEST), params: { callId: cancelled }, expect: 403 });
    await send('cancelDirectCall', { auth: member(MEMBER), params: { callId: cancelled }, expect: 200 });
    await send('cancelDirectCall', { auth: member(MEMBER), params: { callId: cancelled }, expect: 409 });
    await send('cancelDirectCall', { auth: member(MEMBER), params: { callId: callB.callId }, expect: 404 });
  });

  it('answers retries with an Idempotency-Key: the replay, another request with the key (422), the key in progress (409)', async () => {
    const RETRIER = 41_005;
    const key = (name: string) => ({ 'Idempotency-Key': `contract-${name}` });
    const call = (await send('createCall', { auth: member(HOST), body: { title: 'Invite retried' }, expect: 201 })).body as { callId: number };
    type Retry = { operationId: string; auth: ReturnType<typeof member>; params?: Record<string, number>; otherParams?: Record<string, number>; body?: object; other?: object; status: number };
    const retries: Retry[] = [
      { operationId: 'createCall', auth: member(RETRIER), body: { title: 'Retried' }, other: { title: 'Retried other' }, status: 201 },
      { operationId: 'startDirectCall', auth: member(RETRIER), body: { callee: GUEST, media: 'audio' }, other: { callee: GUEST, media: 'video' }, status: 201 },
      { operationId: 'inviteMembers', auth: member(HOST), params: { callId: call.callId }, body: { userIds: [GUEST] }, other: { userIds: [OUTSIDER] }, status: 200 },
      { operationId: 'startRecording', auth: member(HOST), params: { callId: NO_CALL }, body: { mode: 'mix' }, other: { mode: 'individual' }, status: 404 },
      // Another member with the same key is another request.
      { operationId: 'eraseMember', auth: admin, params: { member: 41_006 }, otherParams: { member: 41_007 }, status: 200 },
    ];
    for (const { operationId, auth, params, body, other, otherParams, status } of retries) {
      const first = await send(operationId, { auth, params, body, headers: key(operationId), expect: status });
      const replay = await send(operationId, { auth, params, body, headers: key(operationId), expect: status });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      await send(operationId, { auth, params: otherParams ?? params, body: other ?? body, headers: key(operationId), expect: 422 });
    }
    // As if each first request were still running on some instance: the retries wait, then 409.
    const running = retries.filter(({ status }) => status !== 404);
    for (const { operationId } of running) {
      const idemKey = createHash('sha256').update(`contract-${operationId}`).digest('hex');
      await main.dataSource.getRepository(IdempotencyKey).update({ idemKey }, { state: 'in_progress', lockedUntil: new Date(Date.now() + 60_000) });
    }
    const busy = await Promise.all(running.map(({ operationId, auth, params, body }) => send(operationId, { auth, params, body, headers: key(operationId), expect: 409 })));
    for (const res of busy) expect(res.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
  });

  it("takes Agora's signed webhooks and opens event streams with a ticket", async () => {
    const notice = { noticeId: 'contract:1:108', productId: 1, eventType: 108, notifyMs: Date.now(), payload: { channelName: 'call_unknown', uid: 5, platform: 1, clientSeq: 1, ts: Math.floor(Date.now() / 1000), reason: 1, duration: 1 } };
    await send('receiveAgoraNotice', { ...signed(notice), expect: 200 });
    await send('receiveAgoraNotice', { body: notice, expect: 401 });
    await send('receiveAgoraNotice', { ...signed({ noticeId: 'contract:2', payload: {} }), expect: 400 });
    await send('receiveAgoraNotice', { ...signed(notice), expect: 404 }, limitedUrl);

    const { ticket } = (await send('createEventsTicket', { auth: member(MEMBER), expect: 201 })).body as { ticket: string };
    await send('streamEvents', { query: { ticket }, expect: 200 });
    await send('streamEvents', { query: { ticket }, expect: 401 });
    await send('streamEvents', { expect: 400 });
    const fresh = (await send('createEventsTicket', { auth: member(MEMBER), expect: 201 })).body as { ticket: string };
    await send('streamEvents', { query: { ticket: fresh.ticket, lastEventId: 'evt_1' }, headers: { 'Last-Event-ID': 'evt_1' }, expect: 200 });
    await send('getHealth', { expect: 200 });
  });

  /** For each operation, a caller who gets past access checks (so the refusal under test decides). */
  const allowed = (operationId: string): Auth => {
    const { path } = contract.operation(operationId);
    if (path.includes('/admin/')) return admin;
    return member(HOST);
  };
  const secured = (operationId: string) => ((contract.operation(operationId).spec as { security?: unknown[] }).security ?? []).length > 0;
  const withBody = (operationId: string) => ['post', 'put', 'patch', 'delete'].includes(contract.operation(operationId).method);
  const paramsOf = (operationId: string, value: string | number): Record<string, string | number> =>
    Object.fromEntries([...contract.operation(operationId).path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => [name, value]));

  it('refuses, on every operation, a missing token (401) and a caller without the tier or role (403)', async () => {
    for (const operationId of contract.operations.keys()) {
      if (!secured(operationId)) continue;
      await send(operationId, { params: paramsOf(operationId, 1), expect: 401 });
      await send(operationId, { params: paramsOf(operationId, 1), auth: bearer('not.a.jwt'), expect: 401 });
      const expired = bearer(signToken(ikootaClaims(HOST, 'member'), { expiresIn: -10 }));
      await send(operationId, { params: paramsOf(operationId, 1), auth: expired, expect: 401 });
      const wrongTier = contract.operation(operationId).path.includes('/admin/') ? member(MEMBER) : as.nonMember(OUTSIDER);
      await send(operationId, { params: paramsOf(operationId, 1), auth: wrongTier, expect: 403 });
    }
  });

  it('refuses, on every operation with a body method, a body that is not JSON (415), too large (413) or malformed (400)', async () => {
    for (const operationId of contract.operations.keys()) {
      if (!withBody(operationId)) continue;
      const base = { params: paramsOf(operationId, 1), auth: secured(operationId) ? allowed(operationId) : {} };
      await send(operationId, { ...base, raw: 'hello', contentType: 'text/plain', expect: 415 });
      await send(operationId, { ...base, raw: JSON.stringify({ padding: 'x'.repeat(1_100_000) }), contentType: 'application/json', expect: 413 });
      await send(operationId, { ...base, raw: '{"title": ', contentType: 'application/json', expect: 400 });
    }
  });

  it('refuses, on every operation with a path id, an id that is not one (400)', async () => {
    for (const operationId of contract.operations.keys()) {
      const params = paramsOf(operationId, 'abc');
      if (Object.keys(params).length === 0) continue;
      await send(operationId, { params, auth: allowed(operationId), body: withBody(operationId) ? {} : undefined, expect: 400 });
    }
  });

  it('answers 429 with Retry-After on every rate-limited operation, named limit or the general one', async () => {
    for (const operationId of contract.operations.keys()) {
      if (operationId === 'getHealth' || operationId === 'receiveAgoraNotice') continue;
      const request = { params: paramsOf(operationId, 1), auth: secured(operationId) ? allowed(operationId) : {} };
      const first = await send(operationId, request, limitedUrl);
      expect(first.status).not.toBe(429);
      const second = await send(operationId, request, limitedUrl);
      expect(`${operationId} ${second.status}`).toBe(`${operationId} 429`);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('found no answer the document does not describe', () => {
    expect(violations).toEqual([]);
  });

  it('saw every status each operation documents below 500', () => {
    const unseen: string[] = [];
    for (const [operationId, operation] of contract.operations) {
      for (const status of Object.keys(operation.spec.responses ?? {})) {
        if (Number(status) >= 500) continue;
        if (!seen.get(operationId)?.has(Number(status))) unseen.push(`${operationId} ${status}`);
      }
    }
    expect(unseen).toEqual([]);
    expect(seen.size).toBe(contract.operations.size);
  });
});
