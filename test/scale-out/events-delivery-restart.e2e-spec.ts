/**
 * Webhook delivery survives a kill -9 in the middle of a POST: the outbox row stays pending,
 * and the next instance (once the dead one's job lease expires) sends it again. MariaDB only,
 * like every test with more than one process on one database.
 */
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CallEvent } from '../../src/outbox/entities/call-event.entity';
import { baseChildEnv, freePort, RunningChild, startTsNode } from '../support/child-process';
import { createCall } from '../support/calls';
import { createTestDatabase } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const SECRET = 'scale-out-webhook-secret-0123';

async function healthy(port: number, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`instance on ${port} never became healthy`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('webhook delivery across a kill -9', () => {
  let db: { url: string; drop(): Promise<void> };
  let receiver: WebhookReceiver;
  let url: string;
  let check: DataSource;
  const children: RunningChild[] = [];

  const instance = async (): Promise<{ child: RunningChild; port: number }> => {
    const port = await freePort();
    const child = startTsNode(
      'src/main.ts',
      [],
      baseChildEnv({
        NODE_ENV: 'development',
        PORT: String(port),
        DATABASE_URL: db.url,
        LOG_LEVEL: 'warn',
        AGORA_HEALTH_URL: 'off',
        JOBS_ENABLED: 'true',
        EVENTS_WEBHOOK_URL: url,
        EVENTS_WEBHOOK_SECRET: SECRET,
        EVENTS_DELIVERY_INTERVAL_MS: '200',
        EVENTS_DELIVERY_LEASE_SECONDS: '15',
      }),
    );
    children.push(child);
    await healthy(port);
    return { child, port };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = new WebhookReceiver(SECRET);
    url = await receiver.start();
  });
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await check?.destroy();
    await receiver?.stop();
    await db?.drop();
  });

  it('delivers after a restart the event whose POST was cut off by SIGKILL', async () => {
    // The first POST never gets an answer: the instance is killed while it waits.
    receiver.answer = (_body, attempt) => (attempt === 1 ? 'hang' : 200);
    const first = await instance();
    const call = await createCall(request(`http://127.0.0.1:${first.port}`), 1_716_001, { isPublic: true });
    await receiver.arrived(1);
    first.child.child.kill('SIGKILL');
    await first.child.exited;

    check = new DataSource({ type: 'mysql', url: db.url, entities: [CallEvent] });
    await check.initialize();
    const [pending] = await check.getRepository(CallEvent).find({ where: { callId: call.callId } });
    expect(pending).toMatchObject({ type: 'call.created', status: 'pending' });

    await instance();
    await receiver.arrived(2, 45_000);
    const deadline = Date.now() + 10_000;
    let row = pending;
    while (row.status !== 'delivered' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      row = (await check.getRepository(CallEvent).findOneByOrFail({ id: pending.id }))!;
    }
    expect(row.status).toBe('delivered');
    expect(receiver.received.map((r) => [r.body.id, r.body.type, r.verified, r.status])).toEqual([
      [`evt_${pending.id}`, 'call.created', true, 0],
      [`evt_${pending.id}`, 'call.created', true, 200],
    ]);
    expect(receiver.deliveredOnce()).toHaveLength(1);
  }, 120_000);
});
