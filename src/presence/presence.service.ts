import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AuthUser } from '../auth/auth-user';
import { admissionRefusal, factsOf } from '../calls/admission';
import { ParticipationService } from '../calls/participation.service';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { presenceConfig } from '../config/presence.config';
import { scheduleConfig } from '../config/schedule.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { EntityManager } from 'typeorm';
import { HeartbeatResultDto } from './dto/heartbeat.dto';
import { PresenceRepository } from './presence.repository';

/**
 * The heartbeat rule: heartbeats are optional, and a session that sends one is held to the
 * presence timeout. And the Agora notices kept, which the retention job purges through here.
 */
@Injectable()
export class PresenceService {
  constructor(
    private readonly repository: PresenceRepository,
    private readonly participation: ParticipationService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(presenceConfig.KEY) private readonly presence: ConfigType<typeof presenceConfig>,
    @Inject(scheduleConfig.KEY) private readonly schedule: ConfigType<typeof scheduleConfig>,
  ) {}

  async heartbeat(user: AuthUser, callId: number): Promise<HeartbeatResultDto> {
    const now = this.clock.now();
    const beat = await this.tx.run((manager) => this.repository.recordHeartbeat(manager, callId, user.id, now));
    if (!beat) {
      // Nothing open to touch: the one admission rule says why (ended, removed, paused, private, not started), else join again.
      // An open session passes the rule by the participation invariants, so the beat above needs no read.
      const state = await this.tx.run((manager) => this.participation.memberState(manager, callId, user.id));
      if (!state) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
      throw admissionRefusal(factsOf(state), user, { now, joinEarlyMinutes: this.schedule.joinEarlyMinutes }) ?? new DomainException('NOT_A_PARTICIPANT', 'You are not in this call: join it again');
    }
    return { success: true, timeoutSeconds: this.presence.presenceTimeoutSeconds };
  }

  /** Deletes up to `limit` Agora notices received before the cutoff, in the caller's transaction. Counts picked and deleted. */
  purgeNotices(manager: EntityManager, cutoff: Date, limit: number): Promise<{ picked: number; deleted: number }> {
    return this.repository.purgeNotices(manager, cutoff, limit);
  }
}
