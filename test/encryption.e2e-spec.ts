/**
 * Encrypted calls (issue 26, section 1): Agora's built-in media encryption with a key and salt the
 * service mints, seals at rest and hands to admitted participants (join, token) and to the
 * recorder only. A fake Agora receives the start request; a webhook receiver the events; the
 * app's log lines are captured at debug; and at the end every answer, event, log line, Agora
 * request and database column but the sealed one is scanned for every key and salt handed out.
 * On SQLite and MariaDB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { Writable } from 'node:stream';
import { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { EventsDelivery } from '../src/events/events-delivery.service';
import { createCall, join, leave, token } from './support/calls';
import { ContractDocument, ContractValidator } from './support/contract-validator';
import { FakeClock } from './support/clock';
import { AgoraRequest, FakeAgora, fakeAgora } from './support/fake-agora';
import { as } from './support/jwt';
import { createTestDatabase, startApp, TestApp, usingMysql } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const MEDIA_KEY_SECRET = 'media-key-secret-for-the-encryption-test-0123456789';
const WEBHOOK_SECRET = 'encryption-test-webhook-secret';
const HEX_64 = /^[0-9a-f]{64}$/;

const recordingEnv = (agoraUrl: string): Record<string, string> => ({
  AGORA_CUSTOMER_ID: 'customer-id',
  AGORA_CUSTOMER_SECRET: 'customer-secret',
  AGORA_API_BASE_URL: agoraUrl,
  RECORDING_STORAGE_VENDOR: '11',
  RECORDING_STORAGE_REGION: '0',
  RECORDING_STORAGE_BUCKET: 'ikoota-recordings',
  RECORDING_STORAGE_ACCESS_KEY: 'AKIATESTKEY',
  RECORDING_STORAGE_SECRET_KEY: 'storage-secret-value',
  RECORDING_STORAGE_PREFIX: 'ikoota/recordings',
  RECORDING_STORAGE_ENDPOINT: 'http://127.0.0.1:9',
});

/** Every table of the database, by name. */
async function tablesOf(dataSource: DataSource): Promise<string[]> {
  const rows: Array<Record<string, string>> = usingMysql
    ? await dataSource.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()')
    : await dataSource.query("SELECT name FROM sqlite_master WHERE type = 'table'");
  return rows.map((row) => row.name ?? row.NAME);
}

describe('Encrypted calls (issue 26)', () => {
  const clock = new FakeClock('2026-06-01T10:00:00.000Z');
  let agora: FakeAgora;
  let receiver: WebhookReceiver;
  let t: TestApp;
  const logs: string[] = [];
  /** Every answer but the join and token answers, as text. */
  const answers: string[] = [];
  /** Every key and salt handed out. */
  const handedOut = new Set<string>();
  let nextUser = 26_000;
  const fresh = () => (nextUser += 1);

  /** The answer, kept for the scan (a join or token answer is kept without its `encryption`). */
  const kept = (res: Response, keyed = false): Response => {
    if (keyed && res.body && typeof res.body === 'object' && 'encryption' in res.body) {
      const { encryption, ...rest } = res.body as { encryption: { key: string; salt: string } };
      handedOut.add(encryption.key);
      handedOut.add(encryption.salt);
      answers.push(JSON.stringify(rest), JSON.stringify(res.headers));
    } else {
      answers.push(res.text ?? '', JSON.stringify(res.headers));
    }
    return res;
  };
  const joined = async (callId: number, user: number) => kept(await join(t.http, callId, as.member(user)), true);
  const tokenOf = async (channelName: string, user: number, uid: number) => kept(await token(t.http, as.member(user), channelName, uid), true);
  const left = async (callId: number, user: number) => kept(await leave(t.http, callId, as.member(user)).expect(200));
  const created = async (host: number, body: Record<string, unknown>) => {
    const res = kept(await t.http.post('/api/calling/create').set(as.member(host)).send({ title: 'Encrypted', ...body }));
    expect(res.status).toBe(201);
    return res.body as { callId: number; channelName: string };
  };
  const keyRows = (callId: number) => t.dataSource.query(`SELECT call_id, mode, sealed FROM call_media_keys WHERE call_id = ${Number(callId)}`) as Promise<Array<{ mode: string; sealed: string }>>;
  const startOf = (from: number) => agora.requests.slice(from).filter((r) => r.url.endsWith('/start'));
  const recordingConfigOf = (r: AgoraRequest) => (r.body!.clientRequest as { recordingConfig: Record<string, unknown> }).recordingConfig;

  beforeAll(async () => {
    agora = await fakeAgora();
    receiver = new WebhookReceiver(WEBHOOK_SECRET);
    const webhookUrl = await receiver.start();
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    });
    t = await startApp(
      { ...recordingEnv(agora.url), MEDIA_KEY_SECRET, EVENTS_WEBHOOK_URL: webhookUrl, EVENTS_WEBHOOK_SECRET: WEBHOOK_SECRET, LOG_LEVEL: 'debug' },
      undefined,
      clock,
      destination,
    );
  });
  afterAll(async () => {
    await t?.close();
    await agora?.close();
    await receiver?.stop();
  });

  it('a call without encryption says `none` and its join and token answers carry no encryption, and no key row is written', async () => {
    const host = fresh();
    const call = await created(host, {});
    const entered = await joined(call.callId, host);
    expect(entered.status).toBe(200);
    expect(entered.body).not.toHaveProperty('encryption');
    const issued = await tokenOf(call.channelName, host, entered.body.uid);
    expect(issued.status).toBe(200);
    expect(issued.body).not.toHaveProperty('encryption');
    const row = kept(await t.http.get(`/api/calling/${call.callId}`).set(as.member(host)).expect(200));
    expect(row.body.encryption).toBe('none');
    expect(await keyRows(call.callId)).toEqual([]);
  });

  it('an unknown mode is 400 VALIDATION_FAILED and no call is made', async () => {
    const host = fresh();
    const res = kept(await t.http.post('/api/calling/create').set(as.member(host)).send({ title: 'Bad', encryption: 'aes-128-xts' }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const mine = kept(await t.http.get('/api/calling/my-calls?scope=mine').set(as.member(host)).expect(200));
    expect(mine.body).toEqual([]);
  });

  it('everyone admitted gets the same mode, key and salt (join, rejoin, token); someone not in the call gets none', async () => {
    const host = fresh();
    const guest = fresh();
    const outsider = fresh();
    const call = await created(host, { encryption: 'aes-256-gcm2', isPublic: true });
    const first = await joined(call.callId, host);
    expect(first.status).toBe(200);
    const media = first.body.encryption as { mode: string; key: string; salt: string };
    expect(media.mode).toBe('aes-256-gcm2');
    expect(media.key).toMatch(HEX_64);
    expect(Buffer.from(media.salt, 'base64')).toHaveLength(32);
    expect(Buffer.from(media.salt, 'base64').toString('base64')).toBe(media.salt);

    const second = await joined(call.callId, guest);
    expect(second.body.encryption).toEqual(media);
    const again = await joined(call.callId, host);
    expect(again.body.encryption).toEqual(media);
    const issued = await tokenOf(call.channelName, guest, second.body.uid);
    expect(issued.status).toBe(200);
    expect(issued.body.encryption).toEqual(media);
    // Both answers keep the OpenAPI document's promise (MediaEncryptionDto).
    const contract = new ContractValidator((await t.http.get('/api/docs-json').expect(200)).body as ContractDocument);
    const answer = (res: Response) => ({ status: res.status, headers: new Headers(res.headers as Record<string, string>), body: res.body as unknown });
    expect([...contract.checkAnswer('joinCall', answer(second)), ...contract.checkAnswer('issueToken', answer(issued))]).toEqual([]);

    // Not in the call: no token, no key.
    const refused = await tokenOf(call.channelName, outsider, 123_456);
    expect(refused.status).toBe(403);
    expect(refused.body).not.toHaveProperty('encryption');

    // At rest the pair is sealed: neither the key nor the salt in the row.
    const [row] = await keyRows(call.callId);
    expect(row.mode).toBe('aes-256-gcm2');
    expect(row.sealed).not.toContain(media.key);
    expect(row.sealed).not.toContain(media.salt);

    // The rows show the mode only.
    const detail = kept(await t.http.get(`/api/calling/${call.callId}`).set(as.member(host)).expect(200));
    expect(detail.body.encryption).toBe('aes-256-gcm2');
    const mine = kept(await t.http.get('/api/calling/my-calls').set(as.member(guest)).expect(200));
    expect(mine.body.find((c: { id: number }) => c.id === call.callId).encryption).toBe('aes-256-gcm2');
    const admin = kept(await t.http.get(`/api/calling/admin/${call.callId}/details`).set(as.admin(9)).expect(200));
    expect(JSON.stringify(admin.body)).toContain('"encryption":"aes-256-gcm2"');
    const list = kept(await t.http.get('/api/calling/admin/calls').set(as.admin(9)).expect(200));
    expect(list.body.calls.find((c: { id: number }) => c.id === call.callId).encryption).toBe('aes-256-gcm2');
    kept(await t.http.get(`/api/calling/admin/sessions.csv?callId=${call.callId}`).set(as.admin(9)).buffer(true).expect(200));

    // Everyone leaves; the next join finds the call empty: a fresh pair.
    await left(call.callId, host);
    await left(call.callId, guest);
    const back = await joined(call.callId, guest);
    const next = back.body.encryption as typeof media;
    expect(next.mode).toBe('aes-256-gcm2');
    expect(next.key).not.toBe(media.key);
    expect(next.salt).not.toBe(media.salt);
    const token2 = await tokenOf(call.channelName, guest, back.body.uid);
    expect(token2.body.encryption).toEqual(next);
  });

  it('PATCH changes the mode only while nobody is in the call (409 CALL_IN_PROGRESS), and the next join gets a key for the new mode', async () => {
    const host = fresh();
    const call = await created(host, { encryption: 'aes-128-gcm2' });
    const entered = await joined(call.callId, host);
    expect(entered.body.encryption.mode).toBe('aes-128-gcm2');
    const busy = kept(await t.http.patch(`/api/calling/${call.callId}`).set(as.member(host)).send({ encryption: 'aes-256-gcm2' }));
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('CALL_IN_PROGRESS');
    // The same mode is no change: allowed while in.
    kept(await t.http.patch(`/api/calling/${call.callId}`).set(as.member(host)).send({ encryption: 'aes-128-gcm2', title: 'Still 128' }).expect(200));
    await left(call.callId, host);
    const patched = kept(await t.http.patch(`/api/calling/${call.callId}`).set(as.member(host)).send({ encryption: 'aes-256-gcm2' }));
    expect(patched.status).toBe(200);
    expect(patched.body.encryption).toBe('aes-256-gcm2');
    expect(await keyRows(call.callId)).toEqual([]);
    const back = await joined(call.callId, host);
    expect(back.body.encryption.mode).toBe('aes-256-gcm2');
    expect(back.body.encryption.key).not.toBe(entered.body.encryption.key);
    // Back to none: no key in the answers, and no row.
    await left(call.callId, host);
    kept(await t.http.patch(`/api/calling/${call.callId}`).set(as.member(host)).send({ encryption: 'none' }).expect(200));
    expect(await keyRows(call.callId)).toEqual([]);
    const plain = await joined(call.callId, host);
    expect(plain.body).not.toHaveProperty('encryption');
    expect(await keyRows(call.callId)).toEqual([]);
  });

  it("the recorder gets the channel's mode, key and salt in its start request (decryptionMode, secret, salt); an unencrypted call's start has none", async () => {
    const host = fresh();
    const call = await created(host, { encryption: 'aes-256-gcm2' });
    const entered = await joined(call.callId, host);
    const media = entered.body.encryption as { key: string; salt: string };
    const from = agora.requests.length;
    const started = kept(await t.http.post(`/api/calling/${call.callId}/recordings`).set(as.member(host)).send({ mode: 'mix' }));
    expect(started.status).toBe(201);
    const [start] = startOf(from);
    expect(recordingConfigOf(start)).toMatchObject({ decryptionMode: 8, secret: media.key, salt: media.salt });
    // While the recorder holds the key, the call emptying and filling again keeps it.
    await left(call.callId, host);
    const back = await joined(call.callId, host);
    expect(back.body.encryption).toEqual(entered.body.encryption);
    // A PATCH of the mode waits for the recording too.
    await left(call.callId, host);
    const busy = kept(await t.http.patch(`/api/calling/${call.callId}`).set(as.member(host)).send({ encryption: 'aes-128-gcm2' }));
    expect(busy.body.code).toBe('CALL_IN_PROGRESS');

    const plainHost = fresh();
    const plain = await created(plainHost, {});
    await joined(plain.callId, plainHost);
    const plainFrom = agora.requests.length;
    kept(await t.http.post(`/api/calling/${plain.callId}/recordings`).set(as.member(plainHost)).send({ mode: 'mix' }).expect(201));
    const config = recordingConfigOf(startOf(plainFrom)[0]);
    expect(config).not.toHaveProperty('decryptionMode');
    expect(config).not.toHaveProperty('secret');
    expect(config).not.toHaveProperty('salt');
  });

  it('a recorder started in an empty encrypted call mints the pair, and the first join gets the same', async () => {
    const host = fresh();
    const call = await created(host, { encryption: 'aes-128-gcm2' });
    const from = agora.requests.length;
    kept(await t.http.post(`/api/calling/${call.callId}/recordings`).set(as.member(host)).send({ mode: 'mix' }).expect(201));
    const config = recordingConfigOf(startOf(from)[0]);
    expect(config.decryptionMode).toBe(7);
    const entered = await joined(call.callId, host);
    expect(entered.body.encryption).toEqual({ mode: 'aes-128-gcm2', key: config.secret, salt: config.salt });
  });

  it('a sealed key that no longer opens (another MEDIA_KEY_SECRET): the token is 400 ENCRYPTION_UNAVAILABLE, and a join mints a pair that commits', async () => {
    const host = fresh();
    const call = await created(host, { encryption: 'aes-256-gcm2' });
    const entered = await joined(call.callId, host);
    const garbage = Buffer.alloc(64, 7).toString('base64');
    await t.dataSource.query(`UPDATE call_media_keys SET sealed = '${garbage}' WHERE call_id = ${Number(call.callId)}`);
    const refused = await tokenOf(call.channelName, host, entered.body.uid);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('ENCRYPTION_UNAVAILABLE');
    // A join while in (its slot rolled back): the new pair is minted in a transaction that commits.
    const again = await joined(call.callId, host);
    expect(again.status).toBe(200);
    expect(again.body.encryption.key).not.toBe(entered.body.encryption.key);
    const [row] = await keyRows(call.callId);
    expect(row.sealed).not.toBe(garbage);
    const issued = await tokenOf(call.channelName, host, entered.body.uid);
    expect(issued.body.encryption).toEqual(again.body.encryption);
    const detail = kept(await t.http.get(`/api/calling/${call.callId}`).set(as.member(host)).expect(200));
    expect(detail.body.participant_count).toBe(1);
  });

  it('the key is deleted when the call ends', async () => {
    const host = fresh();
    const call = await created(host, { encryption: 'aes-256-gcm2' });
    await joined(call.callId, host);
    expect(await keyRows(call.callId)).toHaveLength(1);
    kept(await t.http.post(`/api/calling/${call.callId}/end`).set(as.member(host)).send({}).expect(200));
    expect(await keyRows(call.callId)).toEqual([]);
    const refused = await tokenOf(call.channelName, host, 1);
    expect(refused.status).toBe(403);
  });

  it('nothing but the join and token answers and the recorder start carries a key or salt: answers, events, webhooks, log lines, Agora requests, metrics, every column', async () => {
    expect(handedOut.size).toBeGreaterThanOrEqual(8);
    // The events out: the webhook receiver gets every event written so far.
    const delivery = t.app.get(EventsDelivery);
    for (let i = 0; i < 20; i += 1) {
      const report = await delivery.deliver();
      if (report.delivered + report.retried + report.failed === 0) break;
    }
    expect(receiver.received.length).toBeGreaterThan(10);
    const metrics = await t.http.get('/metrics');
    const places: Array<[string, string]> = [
      ...answers.map((text, i): [string, string] => [`answer ${i}`, text]),
      ...receiver.received.map((r, i): [string, string] => [`webhook ${i}`, r.raw]),
      ...logs.map((line, i): [string, string] => [`log line ${i}`, line]),
      ...agora.requests.filter((r) => !r.url.endsWith('/start')).map((r, i): [string, string] => [`agora request ${i} ${r.url}`, JSON.stringify(r)]),
      ['metrics', metrics.text ?? ''],
    ];
    expect(logs.length).toBeGreaterThan(10);
    for (const table of await tablesOf(t.dataSource)) {
      const rows: Array<Record<string, unknown>> = await t.dataSource.query(`SELECT * FROM ${table}`);
      for (const [i, row] of rows.entries()) {
        const { sealed: _sealed, ...columns } = row;
        places.push([`${table} row ${i}`, JSON.stringify(columns, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))]);
      }
    }
    const found = places.flatMap(([where, text]) => [...handedOut].filter((secret) => text.includes(secret)).map(() => where));
    expect(found).toEqual([]);
  });
});

describe('Encrypted calls without MEDIA_KEY_SECRET', () => {
  it('create and PATCH to an encrypted mode are 400 ENCRYPTION_UNAVAILABLE; unencrypted calls work as before', async () => {
    const t = await startApp({ MEDIA_KEY_SECRET: undefined });
    try {
      const res = await t.http.post('/api/calling/create').set(as.member(1)).send({ title: 'x', encryption: 'aes-128-gcm2' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('ENCRYPTION_UNAVAILABLE');
      expect(res.body.message).not.toMatch(/secret=|[0-9a-f]{64}/);
      const call = await createCall(t.http, 1);
      const patch = await t.http.patch(`/api/calling/${call.callId}`).set(as.member(1)).send({ encryption: 'aes-256-gcm2' });
      expect(patch.status).toBe(400);
      expect(patch.body.code).toBe('ENCRYPTION_UNAVAILABLE');
      const joinRes = await join(t.http, call.callId, as.member(1)).expect(200);
      expect(joinRes.body).not.toHaveProperty('encryption');
    } finally {
      await t.close();
    }
  });

  it('refuses a too short MEDIA_KEY_SECRET', async () => {
    await expect(startApp({ MEDIA_KEY_SECRET: 'short' })).rejects.toThrow(/MEDIA_KEY_SECRET must be at least 32 characters/);
  });

  it('refuses to start while a call not ended is encrypted, and starts once it has ended', async () => {
    const dir = usingMysql ? undefined : mkdtempSync(joinPath(tmpdir(), 'ikoota-encryption-'));
    const database = usingMysql ? await createTestDatabase() : { url: `sqlite:${joinPath(dir!, 'calling.sqlite')}`, drop: async () => undefined };
    try {
      const first = await startApp({ MEDIA_KEY_SECRET }, database.url);
      const call = await createCall(first.http, 5, { encryption: 'aes-256-gcm2' });
      await first.close();
      await expect(startApp({ MEDIA_KEY_SECRET: undefined }, database.url)).rejects.toThrow(/MEDIA_KEY_SECRET is required: 1 call\(s\) not ended use media encryption/);
      const again = await startApp({ MEDIA_KEY_SECRET }, database.url);
      await again.http.post(`/api/calling/${call.callId}/end`).set(as.member(5)).send({}).expect(200);
      await again.close();
      const without = await startApp({ MEDIA_KEY_SECRET: undefined }, database.url);
      await without.close();
    } finally {
      await database.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
});
