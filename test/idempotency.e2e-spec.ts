/**
 * Retries that never duplicate (issue 26): `Idempotency-Key` on create, direct, invite and
 * start-recording. The same key from the same member with the same request answers the first
 * answer again and changes nothing; another request with the key is 422; a key in progress makes
 * the retry wait, then 409 with Retry-After; a claim past its lease is taken over; keys are purged
 * after 24 hours; a replay does not use up the create limit.
 */
import { randomInt } from 'node:crypto';
import { EntityManager, QueryFailedError } from 'typeorm';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';
import { CallsService } from '../src/calls/calls.service';
import { Call } from '../src/calls/entities/call.entity';
import { IdempotencyKey } from '../src/idempotency/entities/idempotency-key.entity';
import { IdempotencyRepository } from '../src/idempotency/idempotency.repository';
import { Claim, Idempotency } from '../src/idempotency/idempotency.service';
import { DomainException } from '../src/common/exceptions/domain.exception';
import { DB_QUERY_TIMEOUT, databaseTimeout } from '../src/database/db-errors';
import { TransactionRunner } from '../src/database/transaction-runner.service';
import { CallEvent } from '../src/outbox/entities/call-event.entity';
import { createCall } from './support/calls';
import { FakeClock } from './support/clock';
import { as } from './support/jwt';
import { startApp, TestApp, usingMysql } from './support/test-app';

const base = randomInt(1_000, 1_000_000);
const user = (n: number) => base + n;
const KEY = 'Idempotency-Key';

describe('Idempotency-Key', () => {
  const clock = new FakeClock('2026-03-02T10:00:00.000Z');
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({}, undefined, clock);
  }, 120_000);
  afterAll(async () => t?.close());
  afterEach(() => jest.restoreAllMocks());

  const create = (host: number, key: string | undefined, body: object) => {
    const req = t.http.post('/api/calling/create').set(as.member(host));
    return (key === undefined ? req : req.set(KEY, key)).send(body);
  };
  const callsTitled = (title: string) => t.dataSource.getRepository(Call).countBy({ title });
  const keysOf = (userId: number) => t.dataSource.getRepository(IdempotencyKey).findBy({ userId });

  it('answers the first answer again, status and body, with Idempotent-Replayed, and creates nothing more', async () => {
    const body = { title: 'Idempotent create', isPublic: true };
    const first = await create(user(1), 'key-create-1', body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await create(user(1), 'key-create-1', { isPublic: true, title: 'Idempotent create' }).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await callsTitled('Idempotent create')).toBe(1);
    const events = await t.dataSource.getRepository(CallEvent).findBy({ callId: first.body.callId as number, type: 'call.created' });
    expect(events).toHaveLength(1);
    expect((await keysOf(user(1))).map((row) => [row.state, row.statusCode])).toEqual([['done', 201]]);
  });

  it('without the header nothing changes: two requests, two calls', async () => {
    await create(user(2), undefined, { title: 'No key' }).expect(201);
    await create(user(2), undefined, { title: 'No key' }).expect(201);
    expect(await callsTitled('No key')).toBe(2);
    expect(await keysOf(user(2))).toEqual([]);
  });

  it('the same key with a different body or on another route is 422 IDEMPOTENCY_KEY_REUSED, and changes nothing', async () => {
    const first = await create(user(3), 'key-reused', { title: 'Reused A' }).expect(201);
    const other = await create(user(3), 'key-reused', { title: 'Reused B' }).expect(422);
    expect(other.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    const elsewhere = await t.http.post(`/api/calling/${first.body.callId}/invite`).set(as.member(user(3))).set(KEY, 'key-reused').send({ userIds: [user(30)] }).expect(422);
    expect(elsewhere.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await callsTitled('Reused B')).toBe(0);
    // The first request's answer still replays.
    expect((await create(user(3), 'key-reused', { title: 'Reused A' }).expect(201)).body).toEqual(first.body);
  });

  it('keys are per member: another member with the same key gets an answer of their own', async () => {
    const mine = await create(user(4), 'shared-key', { title: 'Per member' }).expect(201);
    const theirs = await create(user(5), 'shared-key', { title: 'Per member' }).expect(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.callId).not.toBe(mine.body.callId);
    expect(await callsTitled('Per member')).toBe(2);
  });

  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['with a space', 'two words'],
    ['not ASCII', 'clé'],
  ])('a key %s is 400 VALIDATION_FAILED, and nothing is created', async (_what, key) => {
    const res = await t.http.post('/api/calling/create').set(as.member(user(6))).set(KEY, Buffer.from(key, 'utf8').toString('latin1')).send({ title: 'Bad key' }).expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('Idempotency-Key') });
    expect(await callsTitled('Bad key')).toBe(0);
    expect(await keysOf(user(6))).toEqual([]);
  });

  it('a 255-character key is fine, and keys differing only in case are two keys', async () => {
    await create(user(7), 'K'.repeat(255), { title: 'Long key' }).expect(201);
    const upper = await create(user(7), 'Case-Key', { title: 'Case A' }).expect(201);
    const lower = await create(user(7), 'case-key', { title: 'Case B' }).expect(201);
    expect(lower.body.callId).not.toBe(upper.body.callId);
  });

  it('a refusal (4xx) is stored and replayed; the same refusal comes back without running again', async () => {
    const call = await createCall(t.http, user(8), { title: 'Invite refusal' });
    const refused = await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(user(9))).set(KEY, 'invite-refused').send({ userIds: [user(10)] }).expect(403);
    expect(refused.body.code).toBe('NOT_CALL_HOST');
    const again = await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(user(9))).set(KEY, 'invite-refused').send({ userIds: [user(10)] }).expect(403);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(refused.body);

    const invited = await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(user(8))).set(KEY, 'invite-ok').send({ userIds: [user(10)] }).expect(200);
    const replayed = await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(user(8))).set(KEY, 'invite-ok').send({ userIds: [user(10)] }).expect(200);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(invited.body);
    expect(await t.dataSource.getRepository(CallEvent).countBy({ callId: call.callId, type: 'member.invited' })).toBe(1);
  });

  it('a failure on our side (5xx) gives the key up, so the retry runs again', async () => {
    const call = await createCall(t.http, user(11), { title: 'Recording unavailable' });
    const res = await t.http.post(`/api/calling/${call.callId}/recordings`).set(as.member(user(11))).set(KEY, 'record-1').send({ mode: 'mix' }).expect(503);
    expect(res.body.code).toBe('RECORDING_NOT_CONFIGURED');
    expect(await keysOf(user(11))).toEqual([]);
    const again = await t.http.post(`/api/calling/${call.callId}/recordings`).set(as.member(user(11))).set(KEY, 'record-1').send({ mode: 'mix' }).expect(503);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('direct calls: a retry rings once', async () => {
    await t.http.get('/api/calling/my-calls').set(as.member(user(13))).expect(200);
    const body = { callee: user(13), media: 'audio' };
    const first = await t.http.post('/api/calling/direct').set(as.member(user(12))).set(KEY, 'ring-1').send(body).expect(201);
    const again = await t.http.post('/api/calling/direct').set(as.member(user(12))).set(KEY, 'ring-1').send(body).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await t.dataSource.getRepository(CallEvent).countBy({ type: 'call.ringing', callId: first.body.callId as number })).toBe(1);
  });

  describe('while the first request runs', () => {
    /** Makes the key's row look as if its first request were still running on some instance. */
    async function inProgress(userId: number, key: string, body: object): Promise<number> {
      const first = await create(userId, key, body).expect(201);
      await t.dataSource
        .getRepository(IdempotencyKey)
        .update({ userId }, { state: 'in_progress', statusCode: null, responseBody: null, lockedUntil: new Date(clock.now().getTime() + 60_000) });
      return first.body.callId as number;
    }

    it('a retry waits about two seconds, then answers 409 IDEMPOTENCY_IN_PROGRESS with Retry-After, changing nothing', async () => {
      await inProgress(user(20), 'busy-key', { title: 'Busy' });
      const started = Date.now();
      const res = await create(user(20), 'busy-key', { title: 'Busy' }).expect(409);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
      expect(res.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(res.headers['retry-after']).toBe('1');
      expect(await callsTitled('Busy')).toBe(1);
    });

    it('a retry that waits gets the first answer once it is stored', async () => {
      const callId = await inProgress(user(21), 'wait-key', { title: 'Waited' });
      const stored = JSON.stringify({ callId, channelName: 'stored', title: 'Waited' });
      const finishing = new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
        t.dataSource.getRepository(IdempotencyKey).update({ userId: user(21) }, { state: 'done', statusCode: 201, responseBody: stored }),
      );
      const res = await create(user(21), 'wait-key', { title: 'Waited' }).expect(201);
      await finishing;
      expect(res.headers['idempotent-replayed']).toBe('true');
      expect(res.body).toEqual(JSON.parse(stored));
      expect(await callsTitled('Waited')).toBe(1);
    });

    it('a claim past its lease whose work never committed (its instance died first) is taken over: the retry runs, once', async () => {
      // The first request stops before its transaction, as if its instance had died there.
      let resume!: () => void;
      const held = new Promise<void>((resolve) => (resume = resolve));
      const original = CallsService.prototype.create;
      jest.spyOn(CallsService.prototype, 'create').mockImplementationOnce(async function (this: CallsService, ...args) {
        await held;
        return original.apply(this, args);
      });
      const first = create(user(22), 'dead-key', { title: 'Taken over' }).then((res) => res);
      for (let waited = 0; (await keysOf(user(22))).length === 0; waited += 20) {
        if (waited > 5_000) throw new Error('the first request never claimed its key');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await keysOf(user(22))).map((row) => row.state)).toEqual(['in_progress']);
      clock.advance(61_000);
      const retry = await create(user(22), 'dead-key', { title: 'Taken over' }).expect(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect((await keysOf(user(22))).map((row) => row.state)).toEqual(['done']);
      // The first request was only slow: its work finds the key taken over and rolls back.
      resume();
      const late = await first;
      expect({ status: late.status, code: late.body.code }).toEqual({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' });
      expect(await callsTitled('Taken over')).toBe(1);
      const replay = await create(user(22), 'dead-key', { title: 'Taken over' }).expect(201);
      expect(replay.body).toEqual(retry.body);
    });
  });

  it('the key is marked committed in the transaction of the work; if the answer is then not stored, the request is never run again: 409 until the lease passes, then 409 IDEMPOTENCY_ANSWER_LOST', async () => {
    jest.spyOn(IdempotencyRepository.prototype, 'complete').mockRejectedValueOnce(new Error('connection lost'));
    const first = await create(user(23), 'crash-key', { title: 'Not stored' }).expect(201);
    expect(first.body.title).toBe('Not stored');
    expect((await keysOf(user(23))).map((row) => row.state)).toEqual(['committed']);
    expect((await create(user(23), 'crash-key', { title: 'Not stored' }).expect(409)).body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    clock.advance(61_000);
    const lost = await create(user(23), 'crash-key', { title: 'Not stored' }).expect(409);
    expect(lost.body.code).toBe('IDEMPOTENCY_ANSWER_LOST');
    expect(lost.headers['retry-after']).toBeUndefined();
    expect(await callsTitled('Not stored')).toBe(1);
  });

  describe('the claim in the work', () => {
    const hash = (c: string) => c.repeat(64);
    const claim = (userId: number, key: string) => t.app.get(Idempotency).begin(userId, { keyHash: hash(key), requestHash: hash('f') }) as Promise<Claim>;
    const work = (claimed: Claim, fn: (manager: EntityManager) => Promise<unknown>) => {
      const { result, inWork } = t.app.get(Idempotency).carrying(claimed, () => t.app.get(TransactionRunner).run(fn));
      return { done: result.then(() => 'committed', (error: { code?: string }) => error.code ?? 'failed'), inWork };
    };
    const touch = (manager: EntityManager) => manager.getRepository(IdempotencyKey).count();

    it('rolls back with work that fails, commits with work that commits, and a 5xx after the commit gives the key up', async () => {
      const claimed = await claim(user(26), 'a');
      const failing = work(claimed, async (manager) => {
        await touch(manager);
        throw new DomainException('CALL_NOT_FOUND');
      });
      expect(await failing.done).toBe('CALL_NOT_FOUND');
      expect(failing.inWork.state).toBe('open');
      expect((await keysOf(user(26))).map((row) => row.state)).toEqual(['in_progress']);

      // Two transactions in one request: the first marks the key, the second leaves it.
      const tx = t.app.get(TransactionRunner);
      const committing = t.app.get(Idempotency).carrying(claimed, async () => [await tx.run(touch), await tx.run(touch)]);
      await committing.result;
      expect(committing.inWork.state).toBe('committed');
      expect((await keysOf(user(26))).map((row) => row.state)).toEqual(['committed']);
      await t.app.get(Idempotency).release(committing.inWork);
      expect(await keysOf(user(26))).toEqual([]);
    });

    it('work whose claim was taken over meanwhile rolls back with 409 IDEMPOTENCY_IN_PROGRESS', async () => {
      const claimed = await claim(user(28), 'b');
      await t.dataSource.getRepository(IdempotencyKey).update({ userId: user(28) }, { claimedBy: 'another-instance' });
      // The work: a row of its own (any table would do).
      const written = user(30);
      const late = work(claimed, (manager) =>
        manager.getRepository(IdempotencyKey).insert({ userId: written, idemKey: hash('d'), requestHash: hash('e'), state: 'done', claimedBy: 'work', statusCode: 200, responseBody: null, createdAt: clock.now(), lockedUntil: clock.now() }),
      );
      expect(await late.done).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(await keysOf(written)).toEqual([]);
    });

    (usingMysql ? it : it.skip)('a COMMIT that went unanswered keeps the key for its lease to decide, and a 5xx does not give it up', async () => {
      const claimed = await claim(user(29), 'c');
      const commit = MysqlQueryRunner.prototype.commitTransaction;
      jest.spyOn(MysqlQueryRunner.prototype, 'commitTransaction').mockImplementationOnce(async function (this: MysqlQueryRunner) {
        await commit.call(this);
        throw new QueryFailedError('COMMIT', [], databaseTimeout(DB_QUERY_TIMEOUT, 'The database did not answer'));
      });
      const unanswered = work(claimed, touch);
      expect(await unanswered.done).toBe('DB_QUERY_TIMEOUT');
      expect(unanswered.inWork.state).toBe('unknown');
      await t.app.get(Idempotency).release(unanswered.inWork);
      // It did commit here: past the lease a retry is told so, and never runs.
      expect((await keysOf(user(29))).map((row) => row.state)).toEqual(['committed']);
    });
  });

  it('a replay does not count against the create limit', async () => {
    const host = user(24);
    for (let i = 0; i < 10; i += 1) await create(host, `limit-${i}`, { title: `Limit ${i}` }).expect(201);
    const refused = await create(host, 'limit-10', { title: 'Limit 10' }).expect(429);
    expect(refused.body.code).toBe('RATE_LIMITED');
    const replay = await create(host, 'limit-9', { title: 'Limit 9' }).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await callsTitled('Limit 9')).toBe(1);
  });

  it('keys are purged 24 hours after their first use; the key is then new', async () => {
    clock.set('2026-03-05T10:00:00.000Z');
    const first = await create(user(25), 'purged-key', { title: 'Purged' }).expect(201);
    const idempotency = t.app.get(Idempotency);
    clock.set('2026-03-06T09:59:59.000Z');
    await idempotency.purge();
    expect(await keysOf(user(25))).toHaveLength(1);
    expect((await create(user(25), 'purged-key', { title: 'Purged' }).expect(201)).headers['idempotent-replayed']).toBe('true');

    // Past 24 hours and not purged yet: the key is new already.
    clock.set('2026-03-06T10:00:00.000Z');
    const fresh = await create(user(25), 'purged-key', { title: 'Purged' }).expect(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(fresh.body.callId).not.toBe(first.body.callId);

    clock.set('2026-03-07T10:00:01.000Z');
    expect(await idempotency.purge()).toBeGreaterThanOrEqual(1);
    expect(await keysOf(user(25))).toEqual([]);
    expect(await t.dataSource.getRepository(IdempotencyKey).countBy({})).toBe(0);
  });
});
