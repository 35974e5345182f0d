import TestAgent from 'supertest/lib/agent';
import { as } from './jwt';

export interface CreatedCall {
  callId: number;
  channelName: string;
  title: string;
}

/** Creates a call through the API as the given host. */
export async function createCall(
  http: TestAgent,
  hostId: number,
  body: Record<string, unknown> = {},
  auth: { Authorization: string } = as.member(hostId),
): Promise<CreatedCall> {
  const res = await http
    .post('/api/calling/create')
    .set(auth)
    .send({ title: 'Test call', ...body });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreatedCall;
}

export const join = (http: TestAgent, callId: number, auth: { Authorization: string }, body?: object) => {
  const req = http.post(`/api/calling/${callId}/join`).set(auth);
  return body ? req.send(body) : req;
};

export const leave = (http: TestAgent, callId: number, auth: { Authorization: string }) =>
  http.post(`/api/calling/${callId}/leave`).set(auth);

export const token = (http: TestAgent, auth: { Authorization: string }, channelName: string, uid: number, extra: object = {}) =>
  http.post('/api/calling/token').set(auth).send({ channelName, uid, ...extra });
