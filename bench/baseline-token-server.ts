/**
 * The yardstick for the token path: plain `node:http` doing the same essential work as
 * `POST /api/calling/token`, and nothing else.
 *
 * - verifies the same HS256 JWT (jsonwebtoken, the secret as a KeyObject, HS256 only);
 * - checks admission in a Map (channelName -> Set of user ids), loaded at start-up;
 * - builds the same agora-token token (RtcTokenBuilder.buildTokenWithUid, same app id,
 *   certificate and TTL) and answers `{ token, appId, channelName, uid, expiresAt }`.
 *
 * No framework, no database, no rate limit, no logging. bench/run.ts starts it in its own process
 * and reports every token figure of the service as a ratio to this one.
 *
 * Environment: PORT, JWT_SECRET, AGORA_APP_ID, AGORA_APP_CERTIFICATE, AGORA_TOKEN_TTL_SECONDS,
 * ADMISSION_FILE (JSON: { "<channelName>": [userId, ...] }). GET /health answers 200 when ready.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { createSecretKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verify } from 'jsonwebtoken';
import { RtcRole, RtcTokenBuilder } from 'agora-token';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const port = Number(required('PORT'));
const key = createSecretKey(Buffer.from(required('JWT_SECRET'), 'utf8'));
const appId = required('AGORA_APP_ID');
const appCertificate = required('AGORA_APP_CERTIFICATE');
const ttl = Number(required('AGORA_TOKEN_TTL_SECONDS'));
const admitted = new Map<string, Set<number>>(
  Object.entries(JSON.parse(readFileSync(required('ADMISSION_FILE'), 'utf8')) as Record<string, number[]>).map(([channel, users]) => [channel, new Set(users)]),
);

const MAX_UID = 4_294_967_295;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function userIdOf(header: string | undefined): number | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) return undefined;
  try {
    const payload = verify(match[1], key, { algorithms: ['HS256'] }) as Record<string, unknown>;
    const id = Number(payload.user_id ?? payload.id ?? payload.sub);
    return Number.isInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

function issue(req: IncomingMessage, res: ServerResponse, raw: string): void {
  const userId = userIdOf(req.headers.authorization);
  if (userId === undefined) return send(res, 401, { statusCode: 401, error: 'Unauthorized', message: 'Invalid bearer token' });
  let body: { channelName?: unknown; uid?: unknown };
  try {
    body = JSON.parse(raw) as typeof body;
  } catch {
    return send(res, 400, { statusCode: 400, error: 'Bad Request', message: 'Body must be JSON' });
  }
  const { channelName, uid } = body;
  if (typeof channelName !== 'string' || channelName.length < 1 || channelName.length > 64 || typeof uid !== 'number' || !Number.isInteger(uid) || uid < 1 || uid > MAX_UID) {
    return send(res, 400, { statusCode: 400, error: 'Bad Request', message: 'channelName and uid are required' });
  }
  if (!admitted.get(channelName)?.has(userId)) return send(res, 403, { statusCode: 403, error: 'Forbidden', message: 'Access denied to this call' });
  const issuedAt = Math.floor(Date.now() / 1000);
  const token = RtcTokenBuilder.buildTokenWithUid(appId, appCertificate, channelName, uid, RtcRole.PUBLISHER, ttl, ttl);
  send(res, 200, { token, appId, channelName, uid, expiresAt: issuedAt + ttl });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
  if (req.method !== 'POST' || req.url !== '/api/calling/token') return send(res, 404, { statusCode: 404, error: 'Not Found', message: 'Not found' });
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => issue(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');

const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
