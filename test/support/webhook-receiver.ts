import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

// The receiver verifies with the README's own snippet (test/events-webhooks.e2e-spec.ts checks they are the same text).
const { verifyIkootaSignature } = require('../../examples/verify-ikoota-signature.js') as {
  verifyIkootaSignature(rawBody: string, header: string | undefined, secret: string, nowSeconds?: number): boolean;
};

export interface Received {
  body: { id: string; type: string; occurredAt: string; callId: number; data: Record<string, unknown> };
  raw: string;
  verified: boolean;
  /** What this receiver answered. */
  status: number;
}

/**
 * A webhook receiver on a free port: verifies every POST with the documented snippet, answers
 * with what `answer` says (a status, or 'hang' to never answer), and records everything.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  answer: (body: Received['body'], attempt: number) => number | 'hang' = () => 200;
  private server!: Server;
  private readonly hanging: ServerResponse[] = [];
  private arrivals: Array<() => void> = [];

  constructor(private readonly secret: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/ikoota/events`;
  }

  /** Resolves once `count` requests have arrived in total. */
  async arrived(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.received.length} of ${count} webhook requests arrived`);
      await new Promise<void>((resolve) => {
        this.arrivals.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** The delivered (2xx) bodies, deduplicated on id as the README tells receivers to. */
  deliveredOnce(): Received['body'][] {
    const seen = new Set<string>();
    return this.received.filter((r) => r.status < 300 && !seen.has(r.body.id) && seen.add(r.body.id)).map((r) => r.body);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    req.setEncoding('utf8');
    for await (const chunk of req) raw += chunk;
    const header = req.headers['ikoota-signature'];
    const verified = verifyIkootaSignature(raw, typeof header === 'string' ? header : undefined, this.secret);
    const body = JSON.parse(raw) as Received['body'];
    const attempt = this.received.filter((r) => r.body.id === body.id).length + 1;
    const answer = verified ? this.answer(body, attempt) : 401;
    this.received.push({ body, raw, verified, status: answer === 'hang' ? 0 : answer });
    for (const arrived of this.arrivals.splice(0)) arrived();
    if (answer === 'hang') {
      this.hanging.push(res);
      return;
    }
    res.writeHead(answer).end();
  }
}
