import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { agoraConfig } from '../config/agora.config';
import { databaseConfig } from '../config/database.config';
import { databaseErrorCode } from '../database/db-errors';
import { AgoraProbeService } from './agora-probe.service';
import { HealthReportDto } from './dto/health-report.dto';

/**
 * The longest the health check waits for the database, whatever DB_QUERY_TIMEOUT_MS says: a load
 * balancer's check must hear 503 within 3 s, not after a request's whole budget.
 */
export const HEALTH_DATABASE_WAIT_MS = 2000;

@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(agoraConfig.KEY) private readonly agora: ConfigType<typeof agoraConfig>,
    @Inject(databaseConfig.KEY) private readonly database: ConfigType<typeof databaseConfig>,
    private readonly probe: AgoraProbeService,
  ) {}

  async report(): Promise<HealthReportDto> {
    const [database, reachability] = await Promise.all([this.checkDatabase(), this.probe.reachability()]);
    return {
      status: database.status === 'up' ? 'ok' : 'error',
      database,
      agora: {
        configured: !this.agora.usingDevCredentials,
        kickingRules: Boolean(this.agora.customerId && this.agora.customerSecret),
        reachability,
      },
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  /**
   * A real round trip to the database, bounded by DB_QUERY_TIMEOUT_MS and at most
   * HEALTH_DATABASE_WAIT_MS, the wait for a pooled connection included (on MySQL the query is
   * bounded by itself too, and its connection dropped, see mysql-waits.ts).
   */
  private async checkDatabase(): Promise<HealthReportDto['database']> {
    const type = this.dataSource.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
    const started = Date.now();
    try {
      if (!this.dataSource.isInitialized) throw new Error('not connected');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), Math.min(this.database.queryTimeoutMs, HEALTH_DATABASE_WAIT_MS));
      });
      await Promise.race([this.dataSource.query('SELECT 1 AS ok'), timeout]).finally(() => clearTimeout(timer));
      return { status: 'up', type, latencyMs: Date.now() - started };
    } catch (error) {
      // A code, not the driver's message: this route is public and messages name hosts.
      const code = databaseErrorCode(error) ?? ((error as Error).message === 'timed out' ? 'TIMEOUT' : 'UNAVAILABLE');
      return { status: 'down', type, latencyMs: Date.now() - started, detail: code };
    }
  }
}
