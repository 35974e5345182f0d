/**
 * Scheduled calls on two instances sharing one MariaDB (issue 24): the schedule job's reminders
 * and its end at `ends_at` happen exactly once per call, whether both instances run the job's work
 * at the same moment (the conditional UPDATE and the call's lock decide) or go through the job
 * lease (one of them runs).
 */
import { randomInt } from 'node:crypto';
import { CallSchedule, ScheduleReport } from '../../src/calls/call-schedule.service';
import { Call } from '../../src/calls/entities/call.entity';
import { JobScheduler } from '../../src/jobs/job-scheduler.service';
import { CallEvent } from '../../src/outbox/entities/call-event.entity';
import { join } from '../support/calls';
import { FakeClock } from '../support/clock';
import { brokenInvariants } from '../support/invariants';
import { as } from '../support/jwt';
import { createTestDatabase, startApp, TestApp } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const base = randomInt(1_000_000, 1_900_000_000);
const user = (n: number) => base + n;
const CALLS = 8;

describe('the call schedule on two instances', () => {
  const clock = new FakeClock('2026-06-01T09:00:00.000Z');
  let db: { url: string; drop(): Promise<void> };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startApp({ REDIS_URL }, db.url, clock);
    b = await startApp({ REDIS_URL }, db.url, clock);
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await db?.drop();
  });

  /** `CALLS` scheduled calls, each with its host in it, created alternately on both instances. */
  async function scheduledCalls(first: number, startsAt: string, endsAt: string): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < CALLS; i += 1) {
      const via = i % 2 === 0 ? a : b;
      const host = user(first + i);
      const res = await via.http.post('/api/calling/create').set(as.member(host)).send({ title: `Scheduled ${i}`, isPublic: true, startsAt, endsAt }).expect(201);
      await join(via.http, res.body.callId, as.member(host)).expect(200);
      ids.push(res.body.callId as number);
    }
    return ids;
  }

  const typesOf = async (ids: number[]) => {
    const rows = await a.dataSource.getRepository(CallEvent).find({ order: { id: 'ASC' } });
    return ids.map((id) => rows.filter((row) => row.callId === id).map((row) => row.type));
  };
  const sum = (reports: ScheduleReport[]): ScheduleReport => reports.reduce((total, r) => ({ ended: total.ended + r.ended, startingSoon: total.startingSoon + r.startingSoon, endingSoon: total.endingSoon + r.endingSoon }));

  it('both instances running the work at once: each reminder and each end happens exactly once', async () => {
    clock.set('2026-06-01T09:00:00.000Z');
    const ids = await scheduledCalls(1, '2026-06-01T09:05:00Z', '2026-06-01T09:09:00Z');
    const both = async () => sum(await Promise.all([a.app.get(CallSchedule).run(), b.app.get(CallSchedule).run(), a.app.get(CallSchedule).run(), b.app.get(CallSchedule).run()]));

    expect(await both()).toEqual({ ended: 0, startingSoon: CALLS, endingSoon: 0 });
    clock.set('2026-06-01T09:04:00.000Z');
    expect(await both()).toEqual({ ended: 0, startingSoon: 0, endingSoon: CALLS });
    clock.set('2026-06-01T09:09:00.000Z');
    expect(await both()).toEqual({ ended: CALLS, startingSoon: 0, endingSoon: 0 });
    expect(await both()).toEqual({ ended: 0, startingSoon: 0, endingSoon: 0 });

    expect(new Set((await typesOf(ids)).map((types) => types.join(',')))).toEqual(new Set(['call.created,participant.joined,call.starting_soon,call.ending_soon,participant.left,call.ended']));
    const calls = await a.dataSource.getRepository(Call).findBy(ids.map((id) => ({ id })));
    expect(calls.map((call) => [call.status, call.endedBy, call.endedAt?.toISOString()])).toEqual(ids.map(() => ['ended', 'schedule', '2026-06-01T09:09:00.000Z']));
    expect(await brokenInvariants(a.dataSource)).toEqual({});
  });

  it('through the job lease: one instance runs it at a time, and each call is reminded and ended once', async () => {
    clock.set('2026-06-02T09:00:00.000Z');
    const ids = await scheduledCalls(100, '2026-06-02T09:05:00Z', '2026-06-02T09:09:00Z');
    const both = () => Promise.all([a.app.get(JobScheduler).runOnce('call-schedule'), b.app.get(JobScheduler).runOnce('call-schedule')]);

    for (const at of ['2026-06-02T09:00:00.000Z', '2026-06-02T09:04:00.000Z', '2026-06-02T09:09:00.000Z']) {
      clock.set(at);
      // Until one of them has run it at this moment (the other may find the lease held).
      for (let round = 0; round < 3; round += 1) await both();
    }
    expect(new Set((await typesOf(ids)).map((types) => types.join(',')))).toEqual(new Set(['call.created,participant.joined,call.starting_soon,call.ending_soon,participant.left,call.ended']));
    expect(await brokenInvariants(a.dataSource)).toEqual({});
  });
});
