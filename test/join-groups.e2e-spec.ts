/**
 * Group commit of joins (src/calls/join-groups.ts, issue 25): joins into one call that arrive
 * while one runs go in one transaction. Each case fires many joins at once, so groups form, and
 * checks that a group answers exactly what one-by-one joins would: the cap exact, refusals per
 * member, members already in, the same member twice, stage roles, uids, events. On MariaDB the
 * joins go to two instances sharing the database; on SQLite to one.
 */
import { randomInt } from 'node:crypto';
import { CallMember } from '../src/calls/entities/call-member.entity';
import { CallSession } from '../src/calls/entities/call-session.entity';
import { UidBinding } from '../src/calls/entities/uid-binding.entity';
import { UsersService } from '../src/auth/users.service';
import { CallsService } from '../src/calls/calls.service';
import { DomainException } from '../src/common/exceptions/domain.exception';
import { joinGroupSize } from '../src/common/metrics/counters';
import { CallEvent } from '../src/outbox/entities/call-event.entity';
import { createCall, join } from './support/calls';
import { brokenInvariants } from './support/invariants';
import { as } from './support/jwt';
import { Instances, twoInstances } from './support/instances';
import { TestApp, usingMysql } from './support/test-app';

const base = randomInt(1_000_000, 1_900_000_000);
const user = (n: number): number => base + n;
const ADMIN = user(0);
/** Encrypted calls need a media key secret (issue 26). */
const ENV = { MEDIA_KEY_SECRET: 'join-groups-test-media-key-secret-0123456789' };

/** How many joins went in groups of two or more so far (the histogram's sum less its observations of 1). */
async function groupedSoFar(): Promise<number> {
  const { values } = await joinGroupSize.get();
  const sum = values.find((v) => v.metricName === 'calling_join_group_size_sum')?.value ?? 0;
  const single = values.find((v) => v.metricName === 'calling_join_group_size_bucket' && v.labels.le === 1)?.value ?? 0;
  return sum - single;
}

describe('group joins', () => {
  let instances: Instances;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    instances = await twoInstances(ENV);
    ({ a, b } = instances);
  });
  afterAll(() => instances?.close());
  afterEach(async () => {
    expect(await brokenInvariants(a.dataSource)).toEqual({});
  });

  const instance = (i: number): TestApp => (i % 2 === 0 ? a : b);

  it('many joins at once into one call: the cap exact, each admitted member with one session, a distinct uid and a joined event', async () => {
    const call = await createCall(a.http, user(1), { isPublic: true, maxParticipants: 40 });
    const members = Array.from({ length: 60 }, (_, i) => user(100 + i));
    const before = await groupedSoFar();
    const answers = await Promise.all(members.map((id, i) => join(instance(i).http, call.callId, as.member(id), { media: 'audio' })));

    const admitted = answers.filter((r) => r.status === 200);
    const full = answers.filter((r) => r.status === 400 && r.body.code === 'CALL_FULL');
    expect({ admitted: admitted.length, full: full.length }).toEqual({ admitted: 40, full: 20 });
    expect(full[0].body.message).toBe('Call is full (40 participants)');
    // Over HTTP on SQLite a join's transaction never yields to the next request (the driver is
    // synchronous), so nothing waits and no group forms; the service-level case below covers it there.
    if (usingMysql) expect(await groupedSoFar()).toBeGreaterThan(before);

    const sessions = await a.dataSource.getRepository(CallSession).findBy({ callId: call.callId, open: 1 });
    expect(sessions.map((s) => s.userId).sort()).toEqual(admitted.map((r) => members[answers.indexOf(r)]).sort());
    expect(sessions.every((s) => s.media === 'audio')).toBe(true);
    const uids = admitted.map((r) => r.body.uid as number);
    expect(new Set(uids).size).toBe(40);
    const bound = await a.dataSource.getRepository(UidBinding).findBy({ callId: call.callId, assigned: 1 });
    expect(new Map(bound.map((row) => [row.userId, row.uid]))).toEqual(new Map(admitted.map((r) => [members[answers.indexOf(r)], r.body.uid as number])));
    const joined = await a.dataSource.getRepository(CallEvent).countBy({ callId: call.callId, type: 'participant.joined' });
    expect(joined).toBe(40);
    for (const r of admitted) expect(r.body).toMatchObject({ success: true, callId: call.callId, channelName: call.channelName, role: 'participant', media: 'audio' });

    // Leaving and joining again keeps each member's uid (the binding stays).
    const first = members[answers.indexOf(admitted[0])];
    await a.http.post(`/api/calling/${call.callId}/leave`).set(as.member(first)).expect(200);
    const again = await join(b.http, call.callId, as.member(first));
    expect(again.status).toBe(200);
    expect(again.body.uid).toBe(admitted[0].body.uid);
  });

  it('joins that arrive while one runs go in one group (service level, both databases): the cap exact, the answers those of single joins', async () => {
    const call = await createCall(a.http, user(50), { isPublic: true, maxParticipants: 12 });
    const users = a.app.get(UsersService);
    const calls = a.app.get(CallsService);
    const members = await Promise.all(Array.from({ length: 16 }, (_, i) => users.resolve({ userId: user(60 + i), membershipStage: 'member', role: 'user' })));
    const before = await groupedSoFar();
    // Called in one go: the first runs alone, the other 15 wait for it and go in together.
    const answers = await Promise.allSettled(members.map((m) => calls.join(m, call.callId, 'audio')));
    expect((await groupedSoFar()) - before).toBe(15);
    const admitted = answers.filter((r) => r.status === 'fulfilled');
    const refused = answers.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect({ admitted: admitted.length, refused: refused.map((r) => (r.reason as DomainException).code) }).toEqual({ admitted: 12, refused: ['CALL_FULL', 'CALL_FULL', 'CALL_FULL', 'CALL_FULL'] });
    // Arrival order decides: the first twelve asked are in.
    expect(answers.slice(0, 12).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await a.dataSource.getRepository(CallSession).countBy({ callId: call.callId, open: 1 })).toBe(12);
  });

  it('an encrypted call: members joining together all get the one key and salt of the channel, minted when it was empty', async () => {
    const call = await createCall(a.http, user(800), { isPublic: true, maxParticipants: 50, encryption: 'aes-256-gcm2' });
    const users = a.app.get(UsersService);
    const calls = a.app.get(CallsService);
    const members = await Promise.all(Array.from({ length: 10 }, (_, i) => users.resolve({ userId: user(810 + i), membershipStage: 'member', role: 'user' })));
    const before = await groupedSoFar();
    const together = await Promise.all(members.map((m) => calls.join(m, call.callId, 'audio')));
    expect((await groupedSoFar()) - before).toBe(9);
    const over = await Promise.all(Array.from({ length: 10 }, (_, i) => join(instance(i).http, call.callId, as.member(user(830 + i)))));
    const keys = [...together.map((r) => JSON.stringify((r as { encryption?: unknown }).encryption)), ...over.map((r) => JSON.stringify(r.body.encryption))];
    expect(new Set(keys).size).toBe(1);
    expect(JSON.parse(keys[0])).toEqual({ mode: 'aes-256-gcm2', key: expect.stringMatching(/^[0-9a-f]{64}$/), salt: expect.any(String) });
  });

  it('a group answers each member by their own state: removed, already in, twice at once, a newcomer', async () => {
    const call = await createCall(a.http, user(2), { isPublic: true, maxParticipants: 100 });
    const removed = user(300);
    const inAlready = user(301);
    const twice = user(302);
    await join(a.http, call.callId, as.member(removed)).expect(200);
    await a.http.delete(`/api/calling/admin/${call.callId}/participants/${removed}`).set(as.admin(ADMIN)).expect(200);
    const firstAnswer = await join(a.http, call.callId, as.member(inAlready), { media: 'video' });
    expect(firstAnswer.status).toBe(200);

    const newcomers = Array.from({ length: 20 }, (_, i) => user(310 + i));
    const requests = [
      ...newcomers.map((id, i) => () => join(instance(i).http, call.callId, as.member(id))),
      () => join(a.http, call.callId, as.member(removed)),
      () => join(b.http, call.callId, as.member(inAlready), { media: 'audio' }),
      () => join(a.http, call.callId, as.member(twice)),
      () => join(a.http, call.callId, as.member(twice)),
    ];
    const answers = await Promise.all(requests.map((send) => send()));
    const [removedAnswer, inAnswer, twiceA, twiceB] = answers.slice(newcomers.length);

    expect(answers.slice(0, newcomers.length).map((r) => r.status)).toEqual(newcomers.map(() => 200));
    expect(removedAnswer.status).toBe(403);
    expect(removedAnswer.body.code).toBe('PARTICIPANT_REMOVED');
    // Already in: the same answer as the first join (its session, its medium, its uid), no second session.
    expect(inAnswer.status).toBe(200);
    expect({ uid: inAnswer.body.uid, media: inAnswer.body.media, joinedAt: inAnswer.body.joinedAt }).toEqual({ uid: firstAnswer.body.uid, media: 'video', joinedAt: firstAnswer.body.joinedAt });
    expect([twiceA.status, twiceB.status]).toEqual([200, 200]);
    expect(twiceA.body.uid).toBe(twiceB.body.uid);
    for (const id of [inAlready, twice]) expect(await a.dataSource.getRepository(CallSession).countBy({ callId: call.callId, userId: id, open: 1 })).toBe(1);
    expect(await a.dataSource.getRepository(CallSession).countBy({ callId: call.callId, userId: removed, open: 1 })).toBe(0);
    const member = await a.dataSource.getRepository(CallMember).findOneBy({ callId: call.callId, userId: twice });
    expect(member?.role).toBe('participant');
  });

  it('a private call admits its members and refuses the rest, in the same group', async () => {
    const host = user(400);
    const call = await createCall(a.http, host, { isPublic: false, maxParticipants: 50 });
    const invited = Array.from({ length: 10 }, (_, i) => user(410 + i));
    const strangers = Array.from({ length: 10 }, (_, i) => user(430 + i));
    await a.http.post(`/api/calling/${call.callId}/invite`).set(as.member(host)).send({ userIds: invited }).expect(200);
    const everyone = invited.flatMap((id, i) => [id, strangers[i]]);
    const answers = await Promise.all(everyone.map((id, i) => join(instance(i).http, call.callId, as.member(id))));
    everyone.forEach((id, i) => {
      if (invited.includes(id)) expect(answers[i].status).toBe(200);
      else expect({ status: answers[i].status, code: answers[i].body.code }).toEqual({ status: 403, code: 'CALL_PRIVATE' });
    });
  });

  it('a stage: listeners joining together are listeners, the host a speaker', async () => {
    const host = user(500);
    const call = await createCall(a.http, host, { isPublic: true, maxParticipants: 200, mode: 'stage', maxSpeakers: 4 });
    const listeners = Array.from({ length: 30 }, (_, i) => user(510 + i));
    const answers = await Promise.all([join(a.http, call.callId, as.member(host)), ...listeners.map((id, i) => join(instance(i).http, call.callId, as.member(id)))]);
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(answers[0].body.stageRole).toBe('speaker');
    expect(new Set(answers.slice(1).map((r) => r.body.stageRole))).toEqual(new Set(['listener']));
  });

  it('a lobby call takes its joins one by one: everyone knocking at once waits', async () => {
    const call = await createCall(a.http, user(600), { isPublic: true, maxParticipants: 50, lobby: true });
    const knocking = Array.from({ length: 12 }, (_, i) => user(610 + i));
    const answers = await Promise.all(knocking.map((id, i) => join(instance(i).http, call.callId, as.member(id))));
    expect(answers.map((r) => r.status)).toEqual(knocking.map(() => 202));
    expect(await a.dataSource.getRepository(CallSession).countBy({ callId: call.callId })).toBe(0);
  });

  it('joins into an ended call are refused, all of them', async () => {
    const host = user(700);
    const call = await createCall(a.http, host, { isPublic: true, maxParticipants: 50 });
    await a.http.post(`/api/calling/${call.callId}/end`).set(as.member(host)).expect(200);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => join(instance(i).http, call.callId, as.member(user(710 + i)))));
    expect(new Set(answers.map((r) => `${r.status} ${r.body.code}`)).size).toBe(1);
    expect(answers[0].status).toBeGreaterThanOrEqual(400);
    expect(answers[0].status).toBeLessThan(500);
  });
});
