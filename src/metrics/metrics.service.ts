import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { CallsService } from '../calls/calls.service';
import { EVENT_METRICS } from '../common/metrics/counters';

/** The longest a scrape waits for the live-call query before reporting the database as not answering. */
export const LIVE_QUERY_TIMEOUT_MS = 2000;

interface PoolInternals {
  config?: { connectionLimit?: number };
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/**
 * The Prometheus registry of one app: the process-wide counters (common/metrics/counters.ts), Node's default
 * metrics, the database pool, and live calls and participants read from the database at scrape
 * time, so every instance behind the balancer reports the same totals.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calls: CallsService,
  ) {
    for (const metric of EVENT_METRICS) this.registry.registerMetric(metric);
    collectDefaultMetrics({ register: this.registry });

    const live = { calls: 0, participants: 0, ok: 0 };
    let pending: Promise<void> | undefined;
    // One query per scrape feeds the three gauges below (collect() runs for each of them).
    const readLive = (): Promise<void> => {
      pending ??= this.readLive(live).finally(() => setImmediate(() => (pending = undefined)));
      return pending;
    };
    const registers = [this.registry];
    new Gauge({ name: 'calling_live_calls', help: 'Active calls (from the database at scrape time)', registers, collect: async function () { await readLive(); this.set(live.calls); } });
    new Gauge({ name: 'calling_live_participants', help: 'Members in active calls now (from the database at scrape time)', registers, collect: async function () { await readLive(); this.set(live.participants); } });
    new Gauge({
      name: 'calling_live_query_ok',
      help: `1 when the live-call query answered within ${LIVE_QUERY_TIMEOUT_MS} ms at this scrape (the live gauges are 0 otherwise)`,
      registers,
      collect: async function () {
        await readLive();
        this.set(live.ok);
      },
    });
    const pool = (): PoolInternals | undefined => (this.dataSource.driver as unknown as { pool?: PoolInternals }).pool;
    new Gauge({
      name: 'calling_db_pool_connections',
      help: 'Database connections by state: total open, in use, idle, requests waiting, limit (SQLite: one connection)',
      labelNames: ['state'] as const,
      registers,
      collect: function () {
        const p = pool();
        if (!p) {
          this.set({ state: 'total' }, 1);
          this.set({ state: 'limit' }, 1);
          return;
        }
        const all = p._allConnections?.length ?? 0;
        const free = p._freeConnections?.length ?? 0;
        this.set({ state: 'total' }, all);
        this.set({ state: 'in_use' }, all - free);
        this.set({ state: 'idle' }, free);
        this.set({ state: 'waiting' }, p._connectionQueue?.length ?? 0);
        this.set({ state: 'limit' }, p.config?.connectionLimit ?? 0);
      },
    });
  }

  /** Prometheus text exposition of everything above. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }

  private async readLive(into: { calls: number; participants: number; ok: number }): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // The calls feature's live counts (the admin overview reads the same); the gauges show active calls only.
      const query = this.calls.liveCounts();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), LIVE_QUERY_TIMEOUT_MS);
      });
      const row = await Promise.race([query, timeout]);
      into.calls = row.active;
      into.participants = row.activeParticipants;
      into.ok = 1;
    } catch {
      into.calls = 0;
      into.participants = 0;
      into.ok = 0;
    } finally {
      clearTimeout(timer);
    }
  }
}
