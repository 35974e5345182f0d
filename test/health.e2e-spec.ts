import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { startApp, TestApp } from './support/test-app';

describe('GET /api/health', () => {
  let probe: Server;
  let probeHits = 0;
  let t: TestApp;

  beforeAll(async () => {
    probe = createServer((_req, res) => {
      probeHits += 1;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    t = await startApp({ AGORA_HEALTH_URL: `http://127.0.0.1:${port}/`, AGORA_HEALTH_CACHE_SECONDS: '60' });
  });

  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => probe.close(resolve));
  });

  it('is public and reports the database up, Agora unconfigured and reachable', async () => {
    const res = await t.http.get('/api/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      database: { status: 'up' },
      agora: { configured: false, kickingRules: false, reachability: { status: 'reachable' } },
    });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('caches the Agora probe instead of calling out on every check', async () => {
    const before = probeHits;
    await t.http.get('/api/health').expect(200);
    await t.http.get('/api/health').expect(200);
    expect(probeHits).toBe(before);
  });

  it('answers 503 once the database stops answering', async () => {
    const other = await startApp({ AGORA_HEALTH_URL: 'off' });
    try {
      await other.dataSource.destroy();
      const res = await other.http.get('/api/health').expect(503);
      expect(res.body).toMatchObject({ status: 'error', database: { status: 'down' }, agora: { reachability: { status: 'disabled' } } });
    } finally {
      await other.close();
    }
  });

  it('reports an unreachable Agora without failing', async () => {
    const other = await startApp({ AGORA_HEALTH_URL: 'http://127.0.0.1:1/' });
    try {
      const res = await other.http.get('/api/health').expect(200);
      expect(res.body.agora.reachability.status).toBe('unreachable');
    } finally {
      await other.close();
    }
  });
});
