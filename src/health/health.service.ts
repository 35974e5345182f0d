import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { agoraConfig } from '../config/agora.config';
import { AgoraProbeService } from './agora-probe.service';
import { HealthReportDto } from './dto/health-report.dto';

const DB_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(agoraConfig.KEY) private readonly agora: ConfigType<typeof agoraConfig>,
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

  /** A real round trip to the database, bounded in time. */
  private async checkDatabase(): Promise<HealthReportDto['database']> {
    const type = this.dataSource.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
    const started = Date.now();
    try {
      if (!this.dataSource.isInitialized) throw new Error('not connected');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), DB_TIMEOUT_MS);
      });
      await Promise.race([this.dataSource.query('SELECT 1 AS ok'), timeout]).finally(() => clearTimeout(timer));
      return { status: 'up', type, latencyMs: Date.now() - started };
    } catch (error) {
      // A code, not the driver's message: this route is public and messages name hosts.
      const code = (error as { code?: string }).code ?? ((error as Error).message === 'timed out' ? 'TIMEOUT' : 'UNAVAILABLE');
      return { status: 'down', type, latencyMs: Date.now() - started, detail: code };
    }
  }
}
