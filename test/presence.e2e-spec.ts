import { CallSession } from '../src/calls/entities/call-session.entity';
import { Call } from '../src/calls/entities/call.entity';
import { PresenceSweeper } from '../src/presence/presence-sweeper.service';
import { JobScheduler } from '../src/jobs/job-scheduler.service';
import { createCall, join, leave, token } from './support/calls';
import { FakeClock } from './support/clock';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

const T0 = Date.parse('2026-03-10T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe('Presence: heartbeats and the sweeper', () => {
  const clock = new FakeClock(at(0));
  let t: TestApp;
  let sweeper: PresenceSweeper;
  const session = (callId: number, userId: number) => t.dataSource.getRepository(CallSession).findOneByOrFail({ callId, userId });

  beforeAll(async () => {
    t = await startApp({ PRESENCE_TIMEOUT_SECONDS: '120', CALL_IDLE_TIMEOUT_MINUTES: '60', AGORA_TOKEN_TTL_SECONDS: '3600' }, undefined, clock);
    sweeper = t.app.get(PresenceSweeper);
  });
  afterAll(async () => t?.close());
  beforeEach(() => clock.set(at(0)));

  it('heartbeat: 200 in the call, 403 when not in it, 404 for an unknown call', async () => {
    const call = await createCall(t.http, 900, { isPublic: true });
    await t.http.post(`/api/calling/${call.callId}/heartbeat`).set(as.member(901)).expect(403);
    await join(t.http, call.callId, as.member(901)).expect(200);
    clock.set(at(30));
    await t.http.post(`/api/calling/${call.callId}/heartbeat`).set(as.member(901)).expect(200, { success: true, timeoutSeconds: 120 });
    expect((await session(call.callId, 901)).lastSeenAt).toEqual(at(30));
    await t.http.post('/api/calling/999999/heartbeat').set(as.member(901)).expect(404);
    await t.http.post('/api/calling/abc/heartbeat').set(as.member(901)).expect(400);
  });

  it('closes a vanished client at the last moment it was seen, and keeps one that heartbeats', async () => {
    const call = await createCall(t.http, 910, { isPublic: true });
    await join(t.http, call.callId, as.member(911)).expect(200);
    await join(t.http, call.callId, as.member(912)).expect(200);
    clock.set(at(60));
    await t.http.post(`/api/calling/${call.callId}/heartbeat`).set(as.member(911)).expect(200);
    await t.http.post(`/api/calling/${call.callId}/heartbeat`).set(as.member(912)).expect(200);
    for (const s of [90, 120, 150, 180, 210]) {
      clock.set(at(s));
      await t.http.post(`/api/calling/${call.callId}/heartbeat`).set(as.member(912)).expect(200);
    }
    clock.set(at(60 + 121));
    const report = await sweeper.sweep();
    expect(report.timedOut).toBeGreaterThanOrEqual(1);
    expect(await session(call.callId, 911)).toMatchObject({ open: null, leftAt: at(60), durationSeconds: 60, leaveReason: 'timeout' });
    expect((await session(call.callId, 912)).open).toBe(1);
    expect((await t.dataSource.getRepository(Call).findOneByOrFail({ id: call.callId })).activeParticipants).toBe(1);
    // The closed member can join again like anyone else.
    await t.http.post(`/api/calling/${call.callId}/heartbeat`).set(as.member(911)).expect(403);
    await join(t.http, call.callId, as.member(911)).expect(200);
  });

  it('a session cannot outlive its newest token, nor join + token lifetime without one', async () => {
    const quiet = await startApp({ PRESENCE_TIMEOUT_SECONDS: '86400', AGORA_TOKEN_TTL_SECONDS: '3600' }, undefined, clock);
    try {
      const call = await createCall(quiet.http, 920, { isPublic: true });
      await join(quiet.http, call.callId, as.member(921)).expect(200);
      await join(quiet.http, call.callId, as.member(922)).expect(200);
      clock.set(at(600));
      await token(quiet.http, as.member(921), call.channelName, 21).expect(200);
      clock.set(at(3601));
      await quiet.app.get(PresenceSweeper).sweep();
      const repo = quiet.dataSource.getRepository(CallSession);
      expect(await repo.findOneByOrFail({ callId: call.callId, userId: 922 })).toMatchObject({ open: null, leftAt: at(3600), leaveReason: 'token_expired' });
      expect((await repo.findOneByOrFail({ callId: call.callId, userId: 921 })).open).toBe(1);
      // The recorded expiry may lag the newest token by 5 s (TOKEN_EXPIRY_LAG_MS): closed once that passed, dated then.
      clock.set(at(4204));
      await quiet.app.get(PresenceSweeper).sweep();
      expect((await repo.findOneByOrFail({ callId: call.callId, userId: 921 })).open).toBe(1);
      clock.set(at(4205));
      await quiet.app.get(PresenceSweeper).sweep();
      expect(await repo.findOneByOrFail({ callId: call.callId, userId: 921 })).toMatchObject({ open: null, leftAt: at(4205), leaveReason: 'token_expired' });
      // And no new token for a closed session.
      await token(quiet.http, as.member(921), call.channelName, 21).expect(403);
    } finally {
      await quiet.close();
    }
  });

  it('ends a call nobody has been in for the idle timeout, at the moment it became empty', async () => {
    const empty = await createCall(t.http, 930, { isPublic: true });
    const used = await createCall(t.http, 931, { isPublic: true });
    await join(t.http, used.callId, as.member(932)).expect(200);
    clock.set(at(600));
    await leave(t.http, used.callId, as.member(932)).expect(200);

    clock.set(at(59 * 60));
    await sweeper.sweep();
    expect((await t.dataSource.getRepository(Call).findOneByOrFail({ id: empty.callId })).status).toBe('active');

    clock.set(at(61 * 60));
    await sweeper.sweep();
    expect(await t.dataSource.getRepository(Call).findOneByOrFail({ id: empty.callId })).toMatchObject({ status: 'ended', endedBy: 'system', endedAt: at(0) });
    expect((await t.dataSource.getRepository(Call).findOneByOrFail({ id: used.callId })).status).toBe('active');

    clock.set(at(600 + 61 * 60));
    await sweeper.sweep();
    expect(await t.dataSource.getRepository(Call).findOneByOrFail({ id: used.callId })).toMatchObject({ status: 'ended', endedBy: 'system', endedAt: at(600) });
    await join(t.http, used.callId, as.member(932)).expect(404);
  });

  it('does not end a call someone is in, however old', async () => {
    const call = await createCall(t.http, 940, { isPublic: true });
    await join(t.http, call.callId, as.member(941)).expect(200);
    for (let minute = 1; minute <= 100; minute += 1) {
      clock.set(at(minute * 60));
      await t.http.post(`/api/calling/${call.callId}/heartbeat`).set(as.member(941)).expect(200);
      // Renewing the token as the SDK does before it expires (lifetime here: 60 minutes).
      if (minute % 50 === 1) await token(t.http, as.member(941), call.channelName, 41).expect(200);
    }
    await sweeper.sweep();
    expect((await t.dataSource.getRepository(Call).findOneByOrFail({ id: call.callId })).status).toBe('active');
    expect((await session(call.callId, 941)).open).toBe(1);
  });

  it('runs as the presence-sweeper job under a lease', async () => {
    const scheduler = t.app.get(JobScheduler);
    expect(await scheduler.runOnce('presence-sweeper')).toBe(true);
  });
});
