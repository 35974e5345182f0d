import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { randomInt } from 'node:crypto';
import { Call } from '../src/calls/entities/call.entity';
import { join } from './support/calls';
import { ContractDocument, ContractValidator } from './support/contract-validator';
import { as } from './support/jwt';
import { createTestDatabase, startApp, TestApp, usingMysql } from './support/test-app';

/**
 * Every field of an answer keeps the JSON type the contract (docs/openapi.json) gives it, on both
 * databases, under concurrent load and not only one request at a time: booleans are booleans
 * (never MariaDB's 1 / 0), integers are integers, strings strings, null only where nullable.
 * On MariaDB two instances share the database and the requests are split between them, one
 * connected with a `mysql://` URL and one with `mariadb://` (TypeORM's MariaDB flavour, which
 * inserts with INSERT … RETURNING); on SQLite (in memory, one process) both halves go to one
 * instance.
 */
const contract = new ContractValidator(JSON.parse(readFileSync(joinPath(__dirname, '..', 'docs', 'openapi.json'), 'utf8')) as ContractDocument);
const CREATES = 50;
const base = randomInt(1_000_000, 1_900_000_000);
const user = (n: number) => base + n;

interface Response {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** The contract's complaints about one answer (its status must be `expected`). */
function problems(operationId: string, expected: number, res: Response): string[] {
  if (res.status !== expected) return [`${operationId}: status ${res.status} ${JSON.stringify(res.body)}`];
  return contract.checkAnswer(operationId, { status: res.status, headers: new Headers(res.headers), body: res.body }).map((p) => `${operationId}: ${p}`);
}

describe('answer fields keep their JSON types under concurrent load', () => {
  let db: { url: string; drop(): Promise<void> };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startApp({}, db.url);
    b = usingMysql ? await startApp({}, db.url.replace(/^mysql:/, 'mariadb:')) : a;
  });
  afterAll(async () => {
    if (b !== a) await b?.app.close();
    await a?.app.close();
    await db?.drop();
  });

  it(`${CREATES} concurrent creates, then reads, joins and my-calls at once: every answer as the contract types it`, async () => {
    const instance = (i: number) => (i % 2 === 0 ? a : b);
    // Each optional field given, omitted, and (where allowed) null, public and private alike.
    const bodies = Array.from({ length: CREATES }, (_, i) => ({
      title: `Typed ${i}`,
      ...(i % 3 === 0 ? {} : { isPublic: i % 3 === 1 }),
      ...(i % 4 === 0 ? {} : { maxParticipants: 2 + i }),
      ...(i % 5 === 0 ? {} : { description: i % 5 === 1 ? null : `About ${i}` }),
    }));
    const created = await Promise.all(bodies.map((body, i) => instance(i).http.post('/api/calling/create').set(as.member(user(i))).send(body)));
    const found = created.flatMap((res) => problems('createCall', 201, res));
    expect(found).toEqual([]);
    // The values too, not only their types.
    expect(created.map((res) => ({ isPublic: res.body.isPublic, maxParticipants: res.body.maxParticipants }))).toEqual(
      bodies.map((body) => ({ isPublic: body.isPublic ?? false, maxParticipants: body.maxParticipants ?? 50 })),
    );

    const calls = created.map((res) => res.body as { callId: number; isPublic: boolean });
    const reads = await Promise.all(
      calls.flatMap((call, i) => [
        instance(i + 1)
          .http.get(`/api/calling/${call.callId}`)
          .set(as.member(user(i)))
          .then((res) => problems('getCall', 200, res)),
        // The host joins; so does a member of a public call.
        join(instance(i + 1).http, call.callId, as.member(user(i))).then((res) => problems('joinCall', 200, res)),
        ...(call.isPublic ? [join(instance(i).http, call.callId, as.member(user(1000 + i))).then((res) => problems('joinCall', 200, res))] : []),
        instance(i)
          .http.get('/api/calling/my-calls')
          .set(as.member(user(i)))
          .then((res) => problems('listMyCalls', 200, res)),
      ]),
    );
    expect(reads.flat()).toEqual([]);
    // Once more after the joins (the calls now have participants), with edits and the admin's views.
    const admin = as.admin(user(5000));
    const after = await Promise.all(
      calls.flatMap((call, i) => [
        instance(i).http.get(`/api/calling/${call.callId}`).set(as.member(user(i))).then((res) => problems('getCall', 200, res)),
        instance(i + 1)
          .http.patch(`/api/calling/${call.callId}`)
          .set(as.member(user(i)))
          .send(i % 2 === 0 ? { isPublic: !call.isPublic } : { title: `Edited ${i}` })
          .then((res) => problems('updateCall', 200, res)),
        instance(i).http.get(`/api/calling/admin/${call.callId}/details`).set(admin).then((res) => problems('getCallDetails', 200, res)),
      ]),
    );
    expect(after.flat()).toEqual([]);
    const lists = await Promise.all([a, b].map((app) => app.http.get(`/api/calling/admin/calls?limit=${CREATES}`).set(admin).then((res) => problems('listCalls', 200, res))));
    expect(lists.flat()).toEqual([]);
    expect(await a.dataSource.getRepository(Call).countBy({ isPublic: true })).toBe(calls.filter((call, i) => (i % 2 === 0 ? !call.isPublic : call.isPublic)).length);
  }, 60_000);

  it('preferences: first saves, later saves and reads at once, on both instances', async () => {
    const members = Array.from({ length: 20 }, (_, i) => user(2000 + i));
    const change = (i: number) => ({ voice_masking_enabled: i % 2 === 0, recording_consent: i % 3 === 0, video_quality: 'hd' });
    const first = await Promise.all(members.map((id, i) => (i % 2 === 0 ? a : b).http.put('/api/calling/preferences').set(as.member(id)).send(change(i))));
    expect(first.flatMap((res) => problems('updatePreferences', 200, res))).toEqual([]);
    expect(first.map((res) => ({ voice: res.body.preferences.voice_masking_enabled, consent: res.body.preferences.recording_consent }))).toEqual(
      members.map((_, i) => ({ voice: change(i).voice_masking_enabled, consent: change(i).recording_consent })),
    );
    const later = await Promise.all(
      members.flatMap((id, i) => [
        (i % 2 === 0 ? b : a).http.put('/api/calling/preferences').set(as.member(id)).send({ auto_mute_on_join: true }).then((res) => problems('updatePreferences', 200, res)),
        (i % 2 === 0 ? a : b).http.get('/api/calling/preferences').set(as.member(id)).then((res) => problems('getPreferences', 200, res)),
      ]),
    );
    expect(later.flat()).toEqual([]);
  }, 60_000);
});
