/**
 * Member event streams (Server-Sent Events): tickets, what a member sees, Last-Event-ID resume,
 * keep-alive comments, closing on removal, CORS.
 */
import { createCall, join, leave } from './support/calls';
import { FakeClock } from './support/clock';
import { openStream, OpenStream } from './support/event-stream';
import { as, signToken, ikootaClaims } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

const ORIGIN = 'https://app.ikoota.example';
const codeOf = async (res: Response): Promise<string> => ((await res.json()) as { code: string }).code;

describe('member event streams', () => {
  let t: TestApp;
  let base: string;
  const clock = new FakeClock('2026-01-05T09:00:00.000Z');
  const open: OpenStream[] = [];

  beforeAll(async () => {
    t = await startApp({ EVENTS_KEEPALIVE_SECONDS: '1', CORS_ORIGINS: ORIGIN }, undefined, clock);
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    base = base.replace('[::1]', '127.0.0.1');
  });
  afterEach(() => {
    for (const stream of open.splice(0)) stream.close();
  });
  afterAll(async () => t?.close());

  const ticketFor = async (userId: number): Promise<string> => {
    const res = await t.http.post('/api/calling/events/ticket').set(as.member(userId)).expect(201);
    expect(res.body).toEqual({ ticket: expect.stringMatching(/^[\w-]{43}$/), expiresAt: new Date(clock.now().getTime() + 60_000).toISOString() });
    return res.body.ticket as string;
  };
  const streamOf = async (userId: number, headers: Record<string, string> = {}, extra = ''): Promise<OpenStream> => {
    const stream = await openStream(base, `ticket=${await ticketFor(userId)}${extra}`, headers);
    expect(stream.status).toBe(200);
    open.push(stream);
    return stream;
  };

  it('opens with a ticket once: reuse, expiry, no ticket and a JWT in the URL are refused', async () => {
    const ticket = await ticketFor(17_001);
    const first = await openStream(base, `ticket=${ticket}`);
    open.push(first);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const again = await fetch(`${base}/api/calling/events?ticket=${ticket}`);
    expect(again.status).toBe(401);
    expect((await codeOf(again))).toBe('EVENTS_TICKET_INVALID');

    const late = await ticketFor(17_001);
    clock.advance(60_001);
    const expired = await fetch(`${base}/api/calling/events?ticket=${late}`);
    expect(expired.status).toBe(401);
    expect((await codeOf(expired))).toBe('EVENTS_TICKET_INVALID');

    const jwt = signToken(ikootaClaims(17_001, 'member'));
    for (const query of [`ticket=${jwt}`, `access_token=${jwt}`, `token=${jwt}`]) {
      const res = await fetch(`${base}/api/calling/events?${query}`);
      expect({ query, status: res.status, code: (await codeOf(res)) }).toEqual({ query, status: 401, code: 'TOKEN_IN_URL' });
    }
    // A bearer header does not open it either: only a ticket does.
    const header = await fetch(`${base}/api/calling/events`, { headers: as.member(17_001) });
    expect(header.status).toBe(400);
    expect((await codeOf(header))).toBe('VALIDATION_FAILED');
    const forged = await fetch(`${base}/api/calling/events?ticket=${'A'.repeat(43)}`);
    expect(forged.status).toBe(401);
  });

  it("carries the member's own events and those of their calls, with id lines, and nothing of other calls", async () => {
    const host = 17_010;
    const guest = 17_011;
    const call = await createCall(t.http, host, { title: 'Private' });
    const elsewhere = await createCall(t.http, 17_019, { isPublic: true });
    const hostStream = await streamOf(host);
    const guestStream = await streamOf(guest);

    await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(host)).send({ userIds: [guest] }).expect(200);
    const invited = await guestStream.next((e) => e.body.type === 'member.invited');
    expect(invited.id).toBe(invited.body.id);
    expect(invited.body).toMatchObject({ callId: call.callId, data: { member: { user_id: guest }, by: { user_id: host } } });

    await join(t.http, elsewhere.callId, as.member(17_018)).expect(200);
    await join(t.http, call.callId, as.member(guest)).expect(200);
    await hostStream.next((e) => e.body.type === 'participant.joined' && (e.body.data.member as { user_id: number }).user_id === guest);
    await t.http.post(`/api/calling/${call.callId}/pause`).set(as.member(host)).expect(200);
    await guestStream.next((e) => e.body.type === 'call.paused');
    await t.http.post(`/api/calling/${call.callId}/end`).set(as.member(host)).expect(200);
    await guestStream.next((e) => e.body.type === 'call.ended');
    await hostStream.next((e) => e.body.type === 'call.ended');

    expect(guestStream.events.map((e) => e.body.type)).toEqual(['member.invited', 'participant.joined', 'call.paused', 'participant.left', 'call.ended']);
    // Personal: the invitation went to the guest only.
    expect(hostStream.events.map((e) => e.body.type)).toEqual(['participant.joined', 'call.paused', 'participant.left', 'call.ended']);
    for (const stream of [hostStream, guestStream]) expect(stream.events.every((e) => e.body.callId === call.callId)).toBe(true);
    const ids = guestStream.events.map((e) => Number(e.id.slice(4)));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('resumes after Last-Event-ID without gaps, from the header or the lastEventId query', async () => {
    const host = 17_020;
    const call = await createCall(t.http, host, { isPublic: true });
    const first = await streamOf(host);
    await join(t.http, call.callId, as.member(17_021)).expect(200);
    const seen = await first.next((e) => e.body.type === 'participant.joined');
    first.close();

    // While disconnected: three more events.
    await join(t.http, call.callId, as.member(17_022)).expect(200);
    await leave(t.http, call.callId, as.member(17_021)).expect(200);
    await join(t.http, call.callId, as.member(17_023)).expect(200);

    const resumed = await streamOf(host, { 'Last-Event-ID': seen.id });
    await resumed.next((e) => (e.body.data.member as { user_id?: number })?.user_id === 17_023);
    // Then live.
    await leave(t.http, call.callId, as.member(17_022)).expect(200);
    await resumed.next((e) => e.body.type === 'participant.left' && (e.body.data.member as { user_id: number }).user_id === 17_022);
    expect(resumed.events.map((e) => [e.body.type, (e.body.data.member as { user_id: number }).user_id])).toEqual([
      ['participant.joined', 17_022],
      ['participant.left', 17_021],
      ['participant.joined', 17_023],
      ['participant.left', 17_022],
    ]);
    const byQuery = await streamOf(host, {}, `&lastEventId=${seen.id}`);
    await byQuery.next((e) => e.body.type === 'participant.left' && (e.body.data.member as { user_id: number }).user_id === 17_022);
    expect(byQuery.events).toHaveLength(4);

    // Older than 10 minutes: not replayed.
    clock.advance(11 * 60_000);
    const stale = await streamOf(host, { 'Last-Event-ID': seen.id });
    await new Promise((r) => setTimeout(r, 300));
    expect(stale.events).toEqual([]);
  });

  it('sends a keep-alive comment on a quiet stream, with CORS headers for an allowed origin', async () => {
    const stream = await streamOf(17_030, { Origin: ORIGIN });
    expect(stream.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const deadline = Date.now() + 5_000;
    while (!stream.comments.includes('keep-alive') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(stream.comments).toContain('keep-alive');
  });

  it("closes the member's streams when they are removed, after telling them", async () => {
    const host = 17_040;
    const guest = 17_041;
    const call = await createCall(t.http, host, { isPublic: true });
    await join(t.http, call.callId, as.member(guest)).expect(200);
    const stream = await streamOf(guest);
    const hostStream = await streamOf(host);
    await t.http.delete(`/api/calling/admin/${call.callId}/participants/${guest}`).set(as.admin(17_049)).expect(200);
    const removed = await stream.next((e) => e.body.type === 'participant.removed');
    expect(removed.body.data.member).toEqual({ user_id: guest, oto_number: expect.stringMatching(/^OTO#/) });
    await stream.ended;
    await hostStream.next((e) => e.body.type === 'participant.removed');
  });
});
