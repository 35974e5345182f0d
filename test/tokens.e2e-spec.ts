import { Logger } from '@nestjs/common';
import { RtcTokenBuilder } from 'agora-token';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
// The token parser lives beside the builders in agora-token; it has no type declarations.
const { AccessToken2, ServiceRtc } = require('agora-token/src/AccessToken2');
import { CallMember } from '../src/calls/entities/call-member.entity';
import { Call } from '../src/calls/entities/call.entity';
import { DEV_AGORA_APP_CERTIFICATE, DEV_AGORA_APP_ID } from '../src/config/agora.config';
import { UidBinding } from '../src/calls/entities/uid-binding.entity';
import { createCall, join, leave, token } from './support/calls';
import { as, bearer, ikootaClaims, signToken } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

interface ParsedToken {
  appId: Buffer;
  issueTs: number;
  expire: number;
  services: Array<{ __type: number; __privileges: Record<number, number>; __channel_name: Buffer; __uid: Buffer }>;
  verifySignature(certificate: string): boolean;
}

function parse(raw: string): ParsedToken {
  const parsed = new AccessToken2();
  expect(parsed.from_string(raw)).toBe(true);
  return parsed;
}

describe('POST /api/calling/token', () => {
  let t: TestApp;
  let db: DataSource;
  let nextUser = 500;
  const fresh = () => (nextUser += 1);

  beforeAll(async () => {
    t = await startApp({ AGORA_TOKEN_TTL_SECONDS: '3600' });
    db = t.dataSource;
  });
  afterAll(async () => t?.close());

  async function joinedCall(userId: number, callBody: Record<string, unknown> = { isPublic: true }) {
    const call = await createCall(t.http, userId, callBody);
    await join(t.http, call.callId, as.member(userId)).expect(200);
    return call;
  }

  it('issues a verifiable AccessToken2 for the joined member, with a relative expiry', async () => {
    const user = fresh();
    const call = await joinedCall(user);
    const before = Math.floor(Date.now() / 1000);
    const res = await token(t.http, as.member(user), call.channelName, 789012).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['appId', 'channelName', 'expiresAt', 'role', 'token', 'uid']);
    expect(res.body).toMatchObject({ appId: DEV_AGORA_APP_ID, channelName: call.channelName, uid: 789012, role: 'publisher' });
    expect(res.body.token).toMatch(/^007/);
    expect(res.body.expiresAt).toBeGreaterThanOrEqual(before + 3600);
    expect(res.body.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);

    const parsed = parse(res.body.token);
    expect(parsed.verifySignature(DEV_AGORA_APP_CERTIFICATE)).toBe(true);
    expect(parsed.verifySignature('00000000000000000000000000000000')).toBe(false);
    expect(parsed.appId.toString()).toBe(DEV_AGORA_APP_ID);
    expect(parsed.expire).toBe(3600);
    expect(Math.abs(parsed.issueTs - before)).toBeLessThanOrEqual(5);
    const rtc = parsed.services[0];
    expect(rtc.__channel_name.toString()).toBe(call.channelName);
    expect(rtc.__uid.toString()).toBe('789012');
    expect(rtc.__privileges[ServiceRtc.kPrivilegeJoinChannel]).toBe(3600);
    expect(rtc.__privileges[ServiceRtc.kPrivilegePublishVideoStream]).toBe(3600);
  });

  it('a subscriber token carries no publish privileges', async () => {
    const user = fresh();
    const call = await joinedCall(user);
    const res = await token(t.http, as.member(user), call.channelName, 77, { role: 'subscriber' }).expect(200);
    const privileges = parse(res.body.token).services[0].__privileges;
    expect(privileges[ServiceRtc.kPrivilegeJoinChannel]).toBe(3600);
    expect(privileges[ServiceRtc.kPrivilegePublishAudioStream]).toBeUndefined();
  });

  it('refuses members who have not joined, have left, or were removed, and unknown or ended calls', async () => {
    const host = fresh();
    const other = fresh();
    const call = await joinedCall(host);
    const denied = await token(t.http, as.member(other), call.channelName, 1).expect(403);
    expect(denied.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Access denied to this call', code: 'CALL_ACCESS_DENIED' });
    await token(t.http, as.member(host), 'call_0_nosuchcall', 1).expect(403);

    await join(t.http, call.callId, as.member(other)).expect(200);
    await token(t.http, as.member(other), call.channelName, 2).expect(200);
    await leave(t.http, call.callId, as.member(other)).expect(200);
    await token(t.http, as.member(other), call.channelName, 2).expect(403);

    await db.getRepository(CallMember).update({ callId: call.callId, userId: host }, { removedAt: new Date() });
    await token(t.http, as.member(host), call.channelName, 3).expect(403);

    const third = fresh();
    const ended = await joinedCall(third);
    await db.getRepository(Call).update({ id: ended.callId }, { status: 'ended', endedAt: new Date() });
    await token(t.http, as.member(third), ended.channelName, 4).expect(403);
  });

  it('decides access before anything about the uid: 403 CALL_ACCESS_DENIED for anyone not in the call, with or without a uid', async () => {
    const host = fresh();
    const call = await joinedCall(host);
    const privateCall = await joinedCall(fresh(), { isPublic: false });
    const ended = await joinedCall(fresh());
    await db.getRepository(Call).update({ id: ended.callId }, { status: 'ended', endedAt: new Date() });
    const [outsider, leaver, removed] = [fresh(), fresh(), fresh()];
    for (const member of [leaver, removed]) await join(t.http, call.callId, as.member(member)).expect(200);
    await leave(t.http, call.callId, as.member(leaver)).expect(200);
    await db.getRepository(CallMember).update({ callId: call.callId, userId: removed }, { removedAt: new Date() });

    const cases: Array<[string, number, string]> = [
      ['never joined', outsider, call.channelName],
      ['left', leaver, call.channelName],
      ['removed', removed, call.channelName],
      ['not invited to a private call', outsider, privateCall.channelName],
      ['an ended call', outsider, ended.channelName],
      ['no such channel', outsider, 'call_0_nosuchcall'],
    ];
    const hostUid = (await token(t.http, as.member(host), call.channelName, 8080).expect(200)).body.uid as number;
    for (const [label, userId, channelName] of cases) {
      for (const body of [{ channelName }, { channelName, role: 'subscriber' }, { channelName, uid: 8181 }, { channelName, uid: hostUid }]) {
        const res = await t.http.post('/api/calling/token').set(as.member(userId)).send(body);
        expect([label, body, res.status, res.body]).toEqual([label, body, 403, { statusCode: 403, error: 'Forbidden', message: 'Access denied to this call', code: 'CALL_ACCESS_DENIED' }]);
      }
    }
  });

  it('binds a uid to its first member: another member gets 409, the owner renews freely', async () => {
    const a = fresh();
    const b = fresh();
    const call = await joinedCall(a);
    await join(t.http, call.callId, as.member(b)).expect(200);
    const first = await token(t.http, as.member(a), call.channelName, 4242).expect(200);
    const stolen = await token(t.http, as.member(b), call.channelName, 4242).expect(409);
    expect(stolen.body).toMatchObject({ statusCode: 409, code: 'UID_TAKEN' });
    const renewed = await token(t.http, as.member(a), call.channelName, 4242).expect(200);
    expect(parse(renewed.body.token).verifySignature(DEV_AGORA_APP_CERTIFICATE)).toBe(true);
    expect(renewed.body.uid).toBe(first.body.uid);
    // The same uid is free in another call.
    const other = await joinedCall(b);
    await token(t.http, as.member(b), other.channelName, 4242).expect(200);
    expect(await db.getRepository(UidBinding).countBy({ callId: call.callId, uid: 4242 })).toBe(1);
  });

  it('two members racing for one uid: exactly one wins', async () => {
    const members = [fresh(), fresh(), fresh(), fresh(), fresh()];
    const call = await joinedCall(members[0]);
    for (const m of members.slice(1)) await join(t.http, call.callId, as.member(m)).expect(200);
    const results = await Promise.all(members.map((m) => token(t.http, as.member(m), call.channelName, 99)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
  });

  it.each([
    [{ channelName: 'x', uid: 0 }, 'uid'],
    [{ channelName: 'x', uid: 4294967296 }, 'uid'],
    [{ channelName: 'x', uid: -5 }, 'uid'],
    [{ channelName: 'x', uid: 1.5 }, 'uid'],
    [{ channelName: 'x', uid: '123' }, 'uid'],
    [{ uid: 5 }, 'channelName'],
    [{ channelName: '', uid: 5 }, 'channelName'],
    [{ channelName: 'x'.repeat(65), uid: 5 }, 'channelName'],
    [{ channelName: 'bad/slash', uid: 5 }, 'channelName'],
    [{ channelName: 'x', uid: 5, role: 'admin' }, 'role'],
    [{ channelName: 'x', uid: 5, expire: 10 }, 'expire'],
  ].map(([body, field], i) => [i, field, body] as const))('refuses bad body #%d (%s) with 400', async (_i, field, body) => {
    const res = await t.http.post('/api/calling/token').set(as.member(fresh())).send(body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.message).toContain(field);
  });

  it('answers 500 "Token generation failed" when the builder fails, and logs it', async () => {
    const user = fresh();
    const call = await joinedCall(user);
    const build = jest.spyOn(RtcTokenBuilder, 'buildTokenWithUid').mockImplementation(() => {
      throw new Error('certificate rejected');
    });
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const res = await token(t.http, as.member(user), call.channelName, 31).expect(500);
      expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Token generation failed', code: 'TOKEN_GENERATION_FAILED' });
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ msg: 'Agora token generation failed', channelName: call.channelName }));
    } finally {
      build.mockRestore();
      logged.mockRestore();
    }
  });

  it('accepts the largest member uid, and refuses the service\'s own uids (the recorder\'s among them)', async () => {
    const user = fresh();
    const call = await joinedCall(user);
    const res = await token(t.http, as.member(user), call.channelName, 4294967039).expect(200);
    expect(parse(res.body.token).services[0].__uid.toString()).toBe('4294967039');
    for (const uid of [4294967040, 4294967295]) {
      const refused = await token(t.http, as.member(user), call.channelName, uid).expect(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('reserved for the service') });
    }
  });

  it('the 61st token request in a minute is 429 with Retry-After, counted per user', async () => {
    const user = fresh();
    const call = await joinedCall(user);
    const auth = as.member(user);
    for (let i = 0; i < 60; i += 1) await token(t.http, auth, call.channelName, 1000).expect(200);
    const limited = await token(t.http, auth, call.channelName, 1000).expect(429);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another member (same IP) is unaffected.
    const other = fresh();
    await join(t.http, call.callId, as.member(other)).expect(200);
    await token(t.http, as.member(other), call.channelName, 1001).expect(200);
  });

  it('routes without a named limit are held to the general 600 a minute per user', async () => {
    const auth = as.member(fresh());
    for (let i = 0; i < 600; i += 1) await t.http.get('/api/calling/preferences').set(auth).expect(200);
    const limited = await t.http.get('/api/calling/preferences').set(auth).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it("runs the spec's frontend joinCall example end to end", async () => {
    await t.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const host = fresh();
    const member = fresh();
    const { callId } = await createCall(t.http, host, { title: 'Spec example', isPublic: true });
    const jwt = signToken(ikootaClaims(member, 'member'));
    const joined: unknown[] = [];
    const agoraClient = { join: async (...args: unknown[]) => void joined.push(args) };
    const failures: unknown[] = [];

    // The example from calling-api.md, with `fetch` pointed at this server.
    const joinCall = async (id: number, token: string) => {
      try {
        const joinResponse = await fetch(`${base}/api/calling/${id}/join`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        });
        if (!joinResponse.ok) throw new Error('Failed to join call');
        const { channelName } = (await joinResponse.json()) as { channelName: string };
        const tokenResponse = await fetch(`${base}/api/calling/token`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ channelName, uid: Math.floor(Math.random() * 1000000) }),
        });
        const agoraConfig = (await tokenResponse.json()) as { appId: string; channelName: string; token: string; uid: number };
        await agoraClient.join(agoraConfig.appId, agoraConfig.channelName, agoraConfig.token, agoraConfig.uid);
      } catch (error) {
        failures.push(error);
      }
    };

    await joinCall(callId, jwt);
    expect(failures).toEqual([]);
    expect(joined).toHaveLength(1);
    const [appId, channelName, rtcToken, uid] = joined[0] as [string, string, string, number];
    expect(appId).toBe(DEV_AGORA_APP_ID);
    expect(parse(rtcToken).services[0].__channel_name.toString()).toBe(channelName);
    expect(typeof uid).toBe('number');
  });

  it('never shows a username, email or bearer token in what it returns', async () => {
    const user = fresh();
    const headers = bearer(signToken(ikootaClaims(user, 'member')));
    const call = await createCall(t.http, user, { isPublic: true }, headers);
    const bodies = [
      (await join(t.http, call.callId, headers).expect(200)).body,
      (await token(t.http, headers, call.channelName, 5).expect(200)).body,
      (await t.http.get(`/api/calling/${call.callId}`).set(headers).expect(200)).body,
      (await t.http.get('/api/calling/my-calls').set(headers).expect(200)).body,
    ];
    const text = JSON.stringify(bodies);
    expect(text).not.toContain(`real-name-${user}`);
    expect(text).not.toContain(`person${user}@example.org`);
    expect(text).not.toContain(headers.Authorization.slice(7));
  });
});
