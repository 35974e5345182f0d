/**
 * A returning member's `last_seen_at` (UsersService): their row is read without a transaction,
 * and when the write is due (a minute since the last) it is made a moment later in one UPDATE
 * with other members' (`flushLastSeen`), not in a transaction of its own per member.
 */
import { randomInt } from 'node:crypto';
import { UsersService } from '../src/auth/users.service';
import { User } from '../src/auth/entities/user.entity';
import { startApp, TestApp } from './support/test-app';

const base = randomInt(1_000_000, 1_900_000_000);

describe("a returning member's last_seen_at", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  const claims = (userId: number) => ({ userId, membershipStage: 'member' as const, role: 'user' as const });
  const lastSeen = async (userId: number) => (await t.dataSource.getRepository(User).findOneByOrFail({ id: userId })).lastSeenAt.getTime();

  it('is written for several members in one go, shortly after their first requests here, and not when it is recent', async () => {
    const users = t.app.get(UsersService);
    const stale = [base + 1, base + 2, base + 3];
    const fresh = base + 4;
    for (const id of [...stale, fresh]) await users.resolve(claims(id));
    const longAgo = new Date(Date.now() - 5 * 60_000);
    await t.dataSource.getRepository(User).update(stale, { lastSeenAt: longAgo });
    const freshBefore = await lastSeen(fresh);
    // As on another instance: nothing cached, so each resolve reads the row.
    for (const id of [...stale, fresh]) users.forgetCached(id);

    const resolved = await Promise.all([...stale, fresh].map((id) => users.resolve(claims(id))));
    expect(resolved.map((u) => u.id)).toEqual([...stale, fresh]);
    // Not written yet: the write waits for the others'.
    for (const id of stale) expect(await lastSeen(id)).toBe(longAgo.getTime());

    await users.flushLastSeen();
    for (const id of stale) expect(await lastSeen(id)).toBeGreaterThan(Date.now() - 10_000);
    expect(await lastSeen(fresh)).toBe(freshBefore);
  });

  it('new claims are written at once (not deferred)', async () => {
    const users = t.app.get(UsersService);
    const id = base + 10;
    await users.resolve(claims(id));
    users.forgetCached(id);
    await users.resolve({ ...claims(id), membershipStage: 'pre_member' as const });
    expect((await t.dataSource.getRepository(User).findOneByOrFail({ id })).membershipStage).toBe('pre_member');
  });
});
