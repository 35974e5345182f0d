import { Test } from '@nestjs/testing';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { agoraConfig } from '../config/agora.config';
import { AgoraChannelService, AgoraChannelOptions, banSecondsFor } from './agora-channel.service';
import { AgoraModule } from './agora.module';

const APP_ID = '0123456789abcdef0123456789abcdef';
const CUSTOMER_ID = 'customer-id-123';
const CUSTOMER_SECRET = 'customer-secret-xyz';
/** base64("customer-id-123:customer-secret-xyz"), written out rather than computed like the code does. */
const EXPECTED_AUTHORIZATION = 'Basic Y3VzdG9tZXItaWQtMTIzOmN1c3RvbWVyLXNlY3JldC14eXo=';
const TEST_TIMEOUT_MS = 200;

interface RecordedRequest {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

interface TestServer {
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A local HTTP server that records every request, then lets `answer` respond (or not). */
async function startServer(answer: (res: ServerResponse) => void): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const reply = (status: number) => (res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: status < 300 ? 'success' : 'error' }));
};

function configFor(baseUrl: string, overrides: Partial<ConfigType<typeof agoraConfig>> = {}): ConfigType<typeof agoraConfig> {
  return {
    appId: APP_ID,
    appCertificate: 'fedcba9876543210fedcba9876543210',
    usingDevCredentials: false,
    tokenTtlSeconds: 86400,
    customerId: CUSTOMER_ID,
    customerSecret: CUSTOMER_SECRET,
    apiBaseUrl: baseUrl,
    healthCacheSeconds: 60,
    ...overrides,
  };
}

function build(baseUrl: string, overrides: Partial<ConfigType<typeof agoraConfig>> = {}) {
  const logger = { warn: jest.fn() };
  const options: AgoraChannelOptions = { timeoutMs: TEST_TIMEOUT_MS, logger };
  return { service: new AgoraChannelService(configFor(baseUrl, overrides), options), logger };
}

/** Everything written to the logger, as one string, to search for leaked credentials. */
function logged(logger: { warn: jest.Mock }): string {
  return JSON.stringify(logger.warn.mock.calls);
}

function expectNoCredentials(text: string): void {
  expect(text).not.toContain(CUSTOMER_SECRET);
  expect(text).not.toContain(EXPECTED_AUTHORIZATION.slice('Basic '.length));
  expect(text).not.toMatch(/basic|authorization/i);
}

describe('AgoraChannelService', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('posts a kicking rule for one uid with Basic auth and the exact body, and reports applied on 200', async () => {
    server = await startServer(reply(200));
    const { service, logger } = build(server.baseUrl);

    await expect(service.kickUser('team-standup', 4242)).resolves.toBe('applied');

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/dev/v1/kicking-rule');
    expect(request.headers.authorization).toBe(EXPECTED_AUTHORIZATION);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toBe(
      `{"appid":"${APP_ID}","cname":"team-standup","uid":4242,"time_in_seconds":86430,"privileges":["join_channel"]}`,
    );
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('posts a channel-wide rule without a uid for an ended call', async () => {
    server = await startServer(reply(200));
    const { service } = build(server.baseUrl);

    await expect(service.kickChannel('team-standup')).resolves.toBe('applied');

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/dev/v1/kicking-rule');
    expect(request.headers.authorization).toBe(EXPECTED_AUTHORIZATION);
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).not.toHaveProperty('uid');
    expect(request.body).toBe(`{"appid":"${APP_ID}","cname":"team-standup","time_in_seconds":86430,"privileges":["join_channel"]}`);
  });

  it('reports failed on a 500 and logs the status and channel, never the secret', async () => {
    server = await startServer(reply(500));
    const { service, logger } = build(server.baseUrl);

    await expect(service.kickUser('room-500', 7)).resolves.toBe('failed');
    await expect(service.kickChannel('room-500')).resolves.toBe('failed');

    expect(server.requests).toHaveLength(2);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[0][0]).toMatchObject({ channel: 'room-500', uid: 7, status: 500 });
    expect(logger.warn.mock.calls[1][0]).toMatchObject({ channel: 'room-500', status: 500 });
    expectNoCredentials(logged(logger));
  });

  it('mutes one uid with a publish_audio or publish_video rule and keeps the id Agora answers', async () => {
    server = await startServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', id: 1953 }));
    });
    const { service } = build(server.baseUrl);

    await expect(service.muteUser('team-standup', 4242, 'publish_audio')).resolves.toEqual({ outcome: 'applied', ruleId: 1953 });
    await expect(service.muteUser('team-standup', 4242, 'publish_video')).resolves.toEqual({ outcome: 'applied', ruleId: 1953 });

    expect(server.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['POST', '/dev/v1/kicking-rule', EXPECTED_AUTHORIZATION],
      ['POST', '/dev/v1/kicking-rule', EXPECTED_AUTHORIZATION],
    ]);
    expect(server.requests.map((r) => r.body)).toEqual([
      `{"appid":"${APP_ID}","cname":"team-standup","uid":4242,"time_in_seconds":86430,"privileges":["publish_audio"]}`,
      `{"appid":"${APP_ID}","cname":"team-standup","uid":4242,"time_in_seconds":86430,"privileges":["publish_video"]}`,
    ]);
  });

  it('counts a mute without a rule id in the answer as failed (it could never be lifted)', async () => {
    server = await startServer(reply(200));
    const { service, logger } = build(server.baseUrl);
    await expect(service.muteUser('room', 5, 'publish_audio')).resolves.toEqual({ outcome: 'failed' });
    expect(logger.warn.mock.calls[0][0]).toMatchObject({ channel: 'room', uid: 5, status: 200 });
  });

  it('deletes a rule by its id with the body { appid, id }', async () => {
    server = await startServer(reply(200));
    const { service } = build(server.baseUrl);

    await expect(service.deleteRule(1953)).resolves.toBe('applied');

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'DELETE', url: '/dev/v1/kicking-rule', body: `{"appid":"${APP_ID}","id":1953}` });
    expect(server.requests[0].headers.authorization).toBe(EXPECTED_AUTHORIZATION);
    expect(server.requests[0].headers['content-type']).toBe('application/json');
  });

  it('reports a refused delete as failed, and sends nothing without credentials', async () => {
    server = await startServer(reply(404));
    const { service, logger } = build(server.baseUrl);
    await expect(service.deleteRule(7)).resolves.toBe('failed');
    expect(logger.warn.mock.calls[0][0]).toMatchObject({ ruleId: 7, status: 404 });
    expectNoCredentials(logged(logger));

    const unconfigured = build(server.baseUrl, { customerId: undefined }).service;
    await expect(unconfigured.deleteRule(7)).resolves.toBe('skipped');
    await expect(unconfigured.muteUser('room', 1, 'publish_video')).resolves.toEqual({ outcome: 'skipped' });
    expect(server.requests).toHaveLength(1);
  });

  it('reports failed on a redirect instead of following it with the credentials', async () => {
    server = await startServer((res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });
    const { service, logger } = build(server.baseUrl);

    await expect(service.kickUser('room-302', 7)).resolves.toBe('failed');

    expect(server.requests.map((r) => r.url)).toEqual(['/dev/v1/kicking-rule']);
    expect(logger.warn.mock.calls[0][0]).toMatchObject({ channel: 'room-302', status: 302 });
  });

  it('reports failed when the server never answers within the timeout', async () => {
    server = await startServer(() => undefined);
    const { service, logger } = build(server.baseUrl);

    const started = performance.now();
    await expect(service.kickUser('room-silent', 9)).resolves.toBe('failed');
    const elapsed = performance.now() - started;

    expect(server.requests).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(TEST_TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(1500);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toMatchObject({ channel: 'room-silent', uid: 9, error: 'TimeoutError' });
    expectNoCredentials(logged(logger));
  });

  it('reports failed when nothing listens on the port', async () => {
    const closed = await startServer(reply(200));
    await closed.close();
    const { service, logger } = build(closed.baseUrl);

    await expect(service.kickChannel('room-closed')).resolves.toBe('failed');

    expect(closed.requests).toHaveLength(0);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toMatchObject({ channel: 'room-closed', error: 'ECONNREFUSED' });
    expectNoCredentials(logged(logger));
  });

  it('skips without any request when the customer credentials are not configured', async () => {
    server = await startServer(reply(200));
    const none = build(server.baseUrl, { customerId: undefined, customerSecret: undefined }).service;
    const idOnly = build(server.baseUrl, { customerSecret: undefined }).service;
    const secretOnly = build(server.baseUrl, { customerId: undefined }).service;

    for (const service of [none, idOnly, secretOnly]) {
      expect(service.isConfigured()).toBe(false);
      await expect(service.kickUser('room', 1)).resolves.toBe('skipped');
      await expect(service.kickChannel('room')).resolves.toBe('skipped');
    }
    expect(build(server.baseUrl).service.isConfigured()).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('spaces a burst of 25 kicks so that no more than 10 reach Agora in any one second', async () => {
    server = await startServer(reply(200));
    const { service } = build(server.baseUrl);

    const outcomes = await Promise.all(Array.from({ length: 25 }, (_, i) => service.kickUser('busy-room', i + 1)));

    expect(outcomes).toEqual(Array(25).fill('applied'));
    expect(server.requests).toHaveLength(25);
    const arrivals = server.requests.map((r) => r.at).sort((a, b) => a - b);
    const busiestSecond = Math.max(...arrivals.map((start) => arrivals.filter((t) => t >= start && t < start + 1000).length));
    expect(busiestSecond).toBeLessThanOrEqual(10);
    // The limiter spaces the burst rather than dropping or serialising it: three windows.
    expect(arrivals[24] - arrivals[0]).toBeGreaterThanOrEqual(2000);
    expect(arrivals[24] - arrivals[0]).toBeLessThan(3500);
    // Every uid was kicked exactly once.
    const uids = server.requests.map((r) => (JSON.parse(r.body) as { uid: number }).uid).sort((a, b) => a - b);
    expect(uids).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('is provided by AgoraModule from the global agora config', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [agoraConfig] }), AgoraModule],
    }).compile();

    const service = moduleRef.get(AgoraChannelService);
    expect(service).toBeInstanceOf(AgoraChannelService);
    // The test environment clears AGORA_CUSTOMER_ID/SECRET, so nothing is sent.
    expect(service.isConfigured()).toBe(false);
    await expect(service.kickChannel('room')).resolves.toBe('skipped');
    await moduleRef.close();
  });
});

describe('banSecondsFor', () => {
  it('outlasts the tokens already issued, within what Agora accepts', () => {
    expect(banSecondsFor(86400)).toBe(86430);
    expect(banSecondsFor(3600)).toBe(3660);
    expect(banSecondsFor(60)).toBe(120);
  });
});
