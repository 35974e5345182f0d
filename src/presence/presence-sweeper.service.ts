import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { CallsService } from '../calls/calls.service';
import { AssignedUids } from '../calls/assigned-uids.service';
import { TOKEN_EXPIRY_LAG_MS } from '../calls/call-fields';
import { ParticipationService } from '../calls/participation.service';
import { Clock } from '../common/clock';
import { agoraConfig } from '../config/agora.config';
import { presenceConfig } from '../config/presence.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { AgoraUserListClient } from './agora-user-list.client';
import { PresenceRepository, SweepCandidate } from './presence.repository';

const BATCH = 200;

export interface SweepReport {
  /** Heartbeat sessions closed at their last heartbeat (`timeout`): no channel user list to ask. */
  timedOut: number;
  /** Sessions Agora's channel user list did not show (`absent`), closed when last seen. */
  absent: number;
  /** Sessions Agora's channel user list showed: kept, seen now. */
  confirmed: number;
  /** Sessions kept because Agora gave no clear answer about their channel. */
  unanswered: number;
  /** Sessions closed at their newest token's expiry (`token_expired`). */
  tokenExpired: number;
  idleEnded: number;
}

/**
 * Closes a session only on evidence that the member is gone (README, "Presence"), strongest
 * evidence first:
 * 1. Agora's webhooks (AgoraWebhooksService): a session Agora saw join the channel is closed by
 *    Agora's leave notice, never here by a timeout.
 * 2. Agora's channel user list (when REST credentials are set): a session with no newer evidence
 *    than the presence timeout is kept when its member is in the channel (seen now) and closed
 *    when not (`absent`, when last seen). No answer keeps it.
 * 3. Heartbeats, opt-in: without a user list to ask, a session that sent one is closed at its
 *    last heartbeat once the timeout passes (`timeout`). A session that never sent one is not.
 * 4. Tokens: a session cannot outlive its newest Agora token (Agora drops the client then), or,
 *    with none, join + the token lifetime (`token_expired`, at that moment). The recorded expiry
 *    may lag the newest token by `TOKEN_EXPIRY_LAG_MS`: closed once that has passed too.
 * And a call nobody has been in for the idle timeout ends, `ended_by` system, when it became empty
 * (a scheduled call: never one with an `ends_at`, which its schedule ends; one with only a
 * `starts_at` counts its idle time from that start).
 * Runs as the `presence-sweeper` job (PresenceSweepJob, one instance at a time); tests call `sweep()`.
 */
@Injectable()
export class PresenceSweeper {
  private readonly logger = new Logger(PresenceSweeper.name);

  constructor(
    @Inject(presenceConfig.KEY) private readonly presence: ConfigType<typeof presenceConfig>,
    @Inject(agoraConfig.KEY) private readonly agora: ConfigType<typeof agoraConfig>,
    private readonly repository: PresenceRepository,
    private readonly uids: AssignedUids,
    private readonly participation: ParticipationService,
    private readonly callsService: CallsService,
    private readonly userList: AgoraUserListClient,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async sweep(): Promise<SweepReport> {
    const now = this.clock.now();
    const report: SweepReport = { timedOut: 0, absent: 0, confirmed: 0, unanswered: 0, tokenExpired: 0, idleEnded: 0 };
    await this.closeExpired(now, report);
    await this.closeUnconfirmed(now, report);
    report.idleEnded = await this.endIdleCalls(now);
    if (report.timedOut || report.absent || report.tokenExpired || report.idleEnded || report.unanswered) this.logger.log({ msg: 'presence sweep', ...report });
    return report;
  }

  private async closeExpired(now: Date, report: SweepReport): Promise<void> {
    const ttlMs = this.agora.tokenTtlSeconds * 1000;
    for (;;) {
      const expired = await this.repository.expiredBy(now, ttlMs, BATCH);
      for (const session of expired) {
        // The newest token expired by the recorded expiry plus the lag it may have: closed then.
        const at = session.tokenExpiresAt ? new Date(session.tokenExpiresAt.getTime() + TOKEN_EXPIRY_LAG_MS) : new Date(session.joinedAt.getTime() + ttlMs);
        if (await this.closeOne(session, at, 'token_expired')) report.tokenExpired += 1;
      }
      if (expired.length < BATCH) return;
    }
  }

  /** Sessions with no evidence newer than the presence timeout: Agora's user list decides, or the heartbeat rule. */
  private async closeUnconfirmed(now: Date, report: SweepReport): Promise<void> {
    const cutoff = new Date(now.getTime() - this.presence.presenceTimeoutSeconds * 1000);
    const askAgora = this.userList.isConfigured();
    // One user-list request per channel per sweep, whatever the batches.
    const channels = new Map<number, Promise<Set<number> | undefined>>();
    let afterId = 0;
    for (;;) {
      const batch = await this.repository.unconfirmedSince(cutoff, askAgora, BATCH, afterId);
      if (batch.length === 0) return;
      afterId = batch[batch.length - 1].id;
      if (!askAgora) {
        for (const session of batch) if (await this.closeOne(session, session.lastSeenAt ?? session.joinedAt, 'timeout')) report.timedOut += 1;
      } else {
        await this.askAgora(batch, channels, now, report);
      }
      if (batch.length < BATCH) return;
    }
  }

  private async askAgora(batch: SweepCandidate[], channels: Map<number, Promise<Set<number> | undefined>>, now: Date, report: SweepReport): Promise<void> {
    const byCall = new Map<number, SweepCandidate[]>();
    for (const session of batch) byCall.set(session.callId, [...(byCall.get(session.callId) ?? []), session]);
    const names = await this.repository.channelNames([...byCall.keys()].filter((id) => !channels.has(id)));
    for (const [callId, sessions] of byCall) {
      if (!channels.has(callId)) channels.set(callId, this.userList.usersIn(names.get(callId)!));
      const inChannel = await channels.get(callId)!;
      if (!inChannel) {
        report.unanswered += sessions.length;
        continue;
      }
      const uids = await this.uids.uidsOf(callId, sessions.map((s) => s.userId));
      const present = sessions.filter((s) => (uids.get(s.userId) ?? []).some((uid) => inChannel.has(uid)));
      await this.tx.run((manager) => this.repository.markSeen(manager, present.map((s) => s.id), now));
      report.confirmed += present.length;
      for (const session of sessions) {
        if (!present.includes(session) && (await this.closeOne(session, session.lastSeenAt ?? session.joinedAt, 'absent'))) report.absent += 1;
      }
    }
  }

  private closeOne(session: SweepCandidate, at: Date, reason: string): Promise<boolean> {
    return this.tx.run((manager) => this.participation.close(manager, session, at, reason));
  }

  private async endIdleCalls(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.presence.callIdleTimeoutMinutes * 60_000);
    let ended = 0;
    for (const call of await this.repository.idleCalls(cutoff, BATCH)) {
      // Empty since the last leave, or since it began: its creation, or its scheduled start.
      const began = call.startsAt && call.startsAt > call.createdAt ? call.startsAt : call.createdAt;
      const emptySince = (await this.repository.lastLeftAt(call.id)) ?? began;
      try {
        await this.callsService.end(call.id, 'system', emptySince < began ? began : emptySince);
        ended += 1;
      } catch (error) {
        // Someone ended or rejoined it meanwhile: nothing to do.
        this.logger.debug({ msg: 'idle call not ended', callId: call.id, reason: (error as Error).message });
      }
    }
    return ended;
  }
}
