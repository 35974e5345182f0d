import { AuthUser } from '../auth/auth-user';
import { DomainException } from '../common/exceptions/domain.exception';
import { Entry, JoinGroups } from './join-groups';

const member = (id: number): AuthUser => ({ id, otoNumber: `OTO#T${String(id).padStart(5, '0')}`, membershipStage: 'member', role: 'user', isAdmin: false, isMember: true });

/** JoinGroups with the database parts stubbed: a group's transaction finds no call (CALL_NOT_FOUND for all). */
function groupsWithoutCall(): { groups: JoinGroups; transactions: () => number } {
  let transactions = 0;
  const tx = { run: async (work: (manager: unknown) => Promise<unknown>) => ((transactions += 1), work({})) };
  const participations = { lockForJoins: async () => null };
  const groups = new JoinGroups(tx as never, participations as never, {} as never, {} as never, {} as never, {} as never, { now: () => new Date() } as never, { joinEarlyMinutes: 10 } as never);
  return { groups, transactions: () => transactions };
}

/** A join that runs until `finish` is called. */
function held(): { alone: () => Promise<Entry>; finish: (error: unknown) => void } {
  let finish!: (error: unknown) => void;
  const done = new Promise<Entry>((_resolve, reject) => (finish = reject));
  return { alone: () => done, finish };
}

describe('JoinGroups', () => {
  const mustNotRun = (): Promise<Entry> => Promise.reject(new Error('a waiting join ran alone'));

  it('joins that arrive while one runs wait for it, then go in one transaction', async () => {
    const { groups, transactions } = groupsWithoutCall();
    const first = held();
    const running = groups.enter(1, member(1), 'audio', first.alone);
    const waiting = [2, 3, 4].map((id) => groups.enter(1, member(id), 'audio', mustNotRun));
    expect(transactions()).toBe(0);
    first.finish(new DomainException('CALL_FULL'));
    await expect(running).rejects.toMatchObject({ code: 'CALL_FULL' });
    for (const join of waiting) await expect(join).rejects.toMatchObject({ code: 'CALL_NOT_FOUND' });
    expect(transactions()).toBe(1);
  });

  it('when the join before failed on a database that does not answer, those waiting get that answer at once', async () => {
    const { groups, transactions } = groupsWithoutCall();
    const first = held();
    const running = groups.enter(7, member(1), 'audio', first.alone);
    const waiting = [2, 3].map((id) => groups.enter(7, member(id), 'audio', mustNotRun));
    first.finish(new DomainException('DATABASE_UNAVAILABLE'));
    await expect(running).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    for (const join of waiting) await expect(join).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(transactions()).toBe(0);
    // The call is free again: the next join goes alone at once.
    const next = groups.enter(7, member(9), 'audio', () => Promise.reject(new DomainException('CALL_ENDED')));
    await expect(next).rejects.toMatchObject({ code: 'CALL_ENDED' });
  });

  it('so they do when it failed on a driver time-out (answered 503 by the filter)', async () => {
    const { groups, transactions } = groupsWithoutCall();
    const first = held();
    const timeout = Object.assign(new Error('the query timed out'), { code: 'ETIMEDOUT' });
    const running = groups.enter(8, member(1), 'audio', first.alone);
    const waiting = groups.enter(8, member(2), 'audio', mustNotRun);
    first.finish(timeout);
    await expect(running).rejects.toBe(timeout);
    await expect(waiting).rejects.toBe(timeout);
    expect(transactions()).toBe(0);
  });

  it('joins into different calls never wait on each other', async () => {
    const { groups } = groupsWithoutCall();
    const first = held();
    void groups.enter(1, member(1), 'audio', first.alone).catch(() => undefined);
    const other = groups.enter(2, member(2), 'audio', () => Promise.reject(new DomainException('CALL_PAUSED')));
    await expect(other).rejects.toMatchObject({ code: 'CALL_PAUSED' });
    first.finish(new DomainException('CALL_FULL'));
  });
});
