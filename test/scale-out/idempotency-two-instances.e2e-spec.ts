/**
 * Idempotency-Key on two instances sharing one MariaDB and one Redis (issue 26): requests racing
 * with the same key on both instances create one call; every other answer is the first answer
 * replayed or 409 IDEMPOTENCY_IN_PROGRESS. A key used on one instance replays on the other, and
 * the replay does not use up the create limit the instances share.
 */
import { randomInt } from 'node:crypto';
import { Call } from '../../src/calls/entities/call.entity';
import { IdempotencyKey } from '../../src/idempotency/entities/idempotency-key.entity';
import { CallEvent } from '../../src/outbox/entities/call-event.entity';
import { as } from '../support/jwt';
import { Instances, twoInstances } from '../support/instances';
import { TestApp } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Fresh ids every run, so rate-limit counters left in Redis by an earlier run never matter.
const base = randomInt(1_000_000, 1_900_000_000);
const user = (n: number) => base + n;

describe('Idempotency-Key on two instances', () => {
  let instances: Instances;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    instances = await twoInstances({ REDIS_URL });
    ({ a, b } = instances);
  });
  afterAll(() => instances?.close());

  const create = (via: TestApp, host: number, key: string, title: string) =>
    via.http.post('/api/calling/create').set(as.member(host)).set('Idempotency-Key', key).send({ title, isPublic: true });

  it('racing the same key on both instances: exactly one call; the other answers are its replay or 409', async () => {
    for (let round = 0; round < 3; round += 1) {
      const host = user(round + 1);
      const title = `Race ${round}`;
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => create(i % 2 === 0 ? a : b, host, `race-${round}`, title)));
      const statuses = answers.map((res) => res.status);
      expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);

      const created = answers.filter((res) => res.status === 201);
      const firsts = created.filter((res) => res.headers['idempotent-replayed'] === undefined);
      expect(firsts).toHaveLength(1);
      for (const res of created) expect(res.body).toEqual(firsts[0].body);
      for (const res of answers.filter((r) => r.status === 409)) {
        expect(res.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
        expect(res.headers['retry-after']).toBe('1');
      }

      expect(await a.dataSource.getRepository(Call).countBy({ title })).toBe(1);
      expect(await a.dataSource.getRepository(CallEvent).countBy({ callId: firsts[0].body.callId as number, type: 'call.created' })).toBe(1);
      expect((await a.dataSource.getRepository(IdempotencyKey).findBy({ userId: host })).map((row) => row.state)).toEqual(['done']);
    }
  });

  it('a key first used on one instance replays on the other; another body there is 422', async () => {
    const first = await create(a, user(10), 'cross-key', 'Cross').expect(201);
    const again = await create(b, user(10), 'cross-key', 'Cross').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await create(b, user(10), 'cross-key', 'Cross other').expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await a.dataSource.getRepository(Call).countBy({ title: 'Cross' })).toBe(1);
  });

  it('the create limit is shared, and a replay on either instance is not counted against it', async () => {
    const host = user(20);
    for (let i = 0; i < 10; i += 1) await create(i % 2 === 0 ? a : b, host, `limit-${i}`, `Limit ${i}`).expect(201);
    expect((await create(b, host, 'limit-10', 'Limit 10').expect(429)).body.code).toBe('RATE_LIMITED');
    const replay = await create(b, host, 'limit-0', 'Limit 0').expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });
});
