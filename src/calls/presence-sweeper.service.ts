import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, LessThan, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { agoraConfig } from '../config/agora.config';
import { presenceConfig } from '../config/presence.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { JobScheduler } from '../jobs/job-scheduler.service';
import { CallsService } from './calls.service';
import { CallSession } from './entities/call-session.entity';
import { Call } from './entities/call.entity';
import { ParticipationService } from './participation.service';

const BATCH = 200;

export interface SweepReport {
  timedOut: number;
  tokenExpired: number;
  idleEnded: number;
}

/**
 * Keeps participation records true when clients vanish:
 * - a session confirmed by nothing (join, heartbeat, Agora webhook) for the presence timeout is
 *   closed at the last moment it was seen, reason `timeout`;
 * - a session cannot outlive its newest Agora token (or, with none, join + token lifetime):
 *   it closes at that expiry, reason `token_expired`;
 * - a call nobody has been in for the idle timeout ends, `ended_by` system, at the moment it
 *   became empty.
 * Runs as the `presence-sweeper` job (one instance at a time); tests call `sweep()`.
 */
@Injectable()
export class PresenceSweeper implements OnModuleInit {
  private readonly logger = new Logger(PresenceSweeper.name);

  constructor(
    @InjectRepository(CallSession) private readonly sessions: Repository<CallSession>,
    @InjectRepository(Call) private readonly calls: Repository<Call>,
    @Inject(presenceConfig.KEY) private readonly presence: ConfigType<typeof presenceConfig>,
    @Inject(agoraConfig.KEY) private readonly agora: ConfigType<typeof agoraConfig>,
    private readonly participation: ParticipationService,
    private readonly callsService: CallsService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly scheduler: JobScheduler,
  ) {}

  onModuleInit(): void {
    const everyMs = this.presence.sweepIntervalSeconds * 1000;
    this.scheduler.register({ name: 'presence-sweeper', everyMs, leaseMs: Math.max(everyMs * 4, 60_000), run: () => this.sweep() });
  }

  async sweep(): Promise<SweepReport> {
    const now = this.clock.now();
    const report = { timedOut: await this.closeUnconfirmed(now), tokenExpired: await this.closeExpired(now), idleEnded: await this.endIdleCalls(now) };
    if (report.timedOut || report.tokenExpired || report.idleEnded) this.logger.log({ msg: 'presence sweep', ...report });
    return report;
  }

  private async closeUnconfirmed(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.presence.presenceTimeoutSeconds * 1000);
    let closed = 0;
    for (;;) {
      const stale = await this.sessions.find({
        where: { open: 1, lastSeenAt: LessThan(cutoff) },
        select: { id: true, callId: true, joinedAt: true, lastSeenAt: true },
        take: BATCH,
      });
      for (const session of stale) {
        if (await this.tx.run((m) => this.participation.close(m, session, session.lastSeenAt ?? session.joinedAt, 'timeout'))) closed += 1;
      }
      if (stale.length < BATCH) return closed;
    }
  }

  private async closeExpired(now: Date): Promise<number> {
    const ttlMs = this.agora.tokenTtlSeconds * 1000;
    const joinedBefore = new Date(now.getTime() - ttlMs);
    let closed = 0;
    for (;;) {
      const expired = await this.sessions
        .createQueryBuilder('s')
        .select(['s.id', 's.callId', 's.joinedAt', 's.tokenExpiresAt'])
        .where('s.open = 1')
        .andWhere(
          new Brackets((q) =>
            q.where('s.token_expires_at < :now', { now }).orWhere('(s.token_expires_at IS NULL AND s.joined_at < :joinedBefore)', { joinedBefore }),
          ),
        )
        .take(BATCH)
        .getMany();
      for (const session of expired) {
        const at = session.tokenExpiresAt ?? new Date(session.joinedAt.getTime() + ttlMs);
        if (await this.tx.run((m) => this.participation.close(m, session, at, 'token_expired'))) closed += 1;
      }
      if (expired.length < BATCH) return closed;
    }
  }

  private async endIdleCalls(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.presence.callIdleTimeoutMinutes * 60_000);
    const idle = await this.calls
      .createQueryBuilder('c')
      .select(['c.id', 'c.createdAt'])
      .where("c.status <> 'ended' AND c.active_participants = 0 AND c.created_at < :cutoff", { cutoff })
      .andWhere('NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = c.id AND (s.open = 1 OR s.left_at >= :cutoff))', { cutoff })
      .take(BATCH)
      .getMany();
    let ended = 0;
    for (const call of idle) {
      const last = await this.sessions.findOne({ where: { callId: call.id }, order: { leftAt: 'DESC' }, select: { id: true, leftAt: true } });
      const emptySince = last?.leftAt ?? call.createdAt;
      try {
        await this.callsService.end(call.id, 'system', emptySince < call.createdAt ? call.createdAt : emptySince);
        ended += 1;
      } catch (error) {
        // Someone ended or rejoined it meanwhile: nothing to do.
        this.logger.debug({ msg: 'idle call not ended', callId: call.id, reason: (error as Error).message });
      }
    }
    return ended;
  }
}
