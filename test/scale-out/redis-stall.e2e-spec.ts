/**
 * A stalled Redis (stopped, not refusing), played by a TCP proxy in front of the shared server
 * (which is never stopped): rate-limited routes answer as usual and quickly, counting in memory,
 * and counting goes back to Redis once it answers. Runs with `npm run test:mysql` only.
 */
import { Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import Redis from 'ioredis';
import { as } from '../support/jwt';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { startApp, TestApp } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const COMMAND_TIMEOUT_MS = 100;
const CIRCUIT_OPEN_MS = 500;
// Fresh id every run, so counters left in Redis by an earlier run never matter.
const userId = randomInt(1_000_000, 1_900_000_000);
// The storage's key is `{<route>:<throttler>:<tracker>:<throttler>}:hits`.
const hitsKey = `ikoota-calling:throttle:{CallsController.myCalls:default:user:${userId}:default}:hits`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a stalled Redis', () => {
  let proxy: TcpProxy;
  let redis: Redis;
  let t: TestApp;
  let warn: jest.SpyInstance;
  let info: jest.SpyInstance;

  const myCalls = () => t.http.get('/api/calling/my-calls').set(as.member(userId));
  const hits = async () => Number((await redis.get(hitsKey)) ?? 0);
  const storageLogs = (spy: jest.SpyInstance) =>
    spy.mock.calls.filter((_, i) => (spy.mock.contexts[i] as { context?: string }).context === 'SharedThrottlerStorage').map(([entry]) => entry);

  beforeAll(async () => {
    const target = new URL(REDIS_URL);
    redis = new Redis(REDIS_URL);
    proxy = await startTcpProxy(Number(target.port || 6379), target.hostname);
    const viaProxy = new URL(REDIS_URL);
    viaProxy.port = String(proxy.port);
    warn = jest.spyOn(Logger.prototype, 'warn');
    info = jest.spyOn(Logger.prototype, 'log');
    t = await startApp({
      REDIS_URL: viaProxy.toString(),
      REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      REDIS_CIRCUIT_OPEN_MS: String(CIRCUIT_OPEN_MS),
    });
  });
  afterAll(async () => {
    proxy?.resume();
    await t?.close();
    await proxy?.close();
    await redis?.del(hitsKey);
    redis?.disconnect();
    warn?.mockRestore();
    info?.mockRestore();
  });

  it('answers rate-limited requests quickly while Redis is stalled, then counts in Redis again', async () => {
    // Counting in Redis to begin with (the app connects in the background: poll).
    for (let i = 0; (await hits()) === 0; i += 1) {
      if (i === 20) throw new Error('the rate-limit counter never reached Redis');
      await myCalls().expect(200);
      await sleep(50);
    }

    proxy.pause();
    const times: number[] = [];
    try {
      for (let i = 0; i < 12; i += 1) {
        const started = Date.now();
        await myCalls().expect(200);
        times.push(Date.now() - started);
        await sleep(50);
      }
    } finally {
      proxy.resume();
    }
    for (const ms of times) expect(ms).toBeLessThan(500);
    // About 1 s of requests against a 500 ms pause: the first request and a probe or two pay the
    // command timeout, not all twelve.
    expect(times.filter((ms) => ms >= COMMAND_TIMEOUT_MS).length).toBeLessThanOrEqual(3);
    expect(storageLogs(warn)).toEqual([expect.objectContaining({ msg: expect.stringContaining('Redis unavailable'), reason: expect.any(String) })]);
    expect(JSON.stringify(storageLogs(warn))).not.toContain('redis://');

    // After the pause, a probe finds Redis answering: each request counts there again.
    let counted = false;
    for (let i = 0; i < 40 && !counted; i += 1) {
      const before = await hits();
      await myCalls().expect(200);
      counted = (await hits()) === before + 1;
      if (!counted) await sleep(100);
    }
    expect(counted).toBe(true);
    const before = await hits();
    await myCalls().expect(200);
    await myCalls().expect(200);
    expect(await hits()).toBe(before + 2);
    expect(storageLogs(info)).toEqual([expect.objectContaining({ msg: expect.stringContaining('Redis answers again') })]);
  });
});
