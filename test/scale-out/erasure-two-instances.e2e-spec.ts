/**
 * Erasure on two instances sharing one MariaDB and one Redis (issue 26): an instance that knows the
 * member (their identity cached from an earlier request) forgets them as soon as another instance
 * erased them, so its next request from the same user id starts a new member with a new OTO#,
 * instead of answering with the erased one for the minute its cache would otherwise keep it.
 */
import { randomInt } from 'node:crypto';
import { UsersService } from '../../src/auth/users.service';
import { User } from '../../src/auth/entities/user.entity';
import { as } from '../support/jwt';
import { Instances, twoInstances } from '../support/instances';
import { TestApp } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const base = randomInt(1_000_000, 1_900_000_000);
const ADMIN = base;
const MEMBER = base + 1;

describe('erasure on two instances', () => {
  let instances: Instances;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    instances = await twoInstances({ REDIS_URL });
    ({ a, b } = instances);
  });
  afterAll(() => instances?.close());

  it('the other instance forgets the erased member at once: their next request there makes a new member', async () => {
    // B knows the member (a request there cached their identity).
    await b.http.get('/api/calling/my-calls').set(as.member(MEMBER)).expect(200);
    const before = await a.dataSource.getRepository(User).findOneByOrFail({ id: MEMBER });

    await a.http.delete(`/api/calling/admin/members/${MEMBER}`).set(as.admin(ADMIN)).expect(200);
    expect(await a.dataSource.getRepository(User).countBy({ id: MEMBER })).toBe(0);

    // B hears of it through Redis: its next resolve of the member writes a new row (a cached
    // identity would be answered from memory, with the erased OTO#, and write nothing).
    const users = b.app.get(UsersService);
    let row: User | null = null;
    for (let i = 0; i < 40 && !row; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const seen = await users.resolve({ userId: MEMBER, membershipStage: 'member', role: 'user' });
      row = await b.dataSource.getRepository(User).findOneBy({ id: MEMBER });
      if (row) expect(seen.otoNumber).toBe(row.otoNumber);
    }
    expect(row).not.toBeNull();
    expect(row!.otoNumber).not.toBe(before.otoNumber);
  });
});
