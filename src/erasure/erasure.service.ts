import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AnalyticsRollup } from '../analytics/analytics-rollup.service';
import { UsersService } from '../auth/users.service';
import { AssignedUids } from '../calls/assigned-uids.service';
import { CallsErasure } from '../calls/calls-erasure.service';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner.service';
import { ModerationService } from '../moderation/moderation.service';
import { NO_CALL } from '../outbox/event-types';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { Idempotency } from '../idempotency/idempotency.service';
import { PreferencesService } from '../preferences/preferences.service';
import { RecordingRetention } from '../recordings/recording-retention.service';
import { ErasedCountsDto, MemberErasedDto } from './dto/member-erased.dto';

const noCounts = (): ErasedCountsDto => ({
  member: 0,
  preferences: 0,
  idempotency_keys: 0,
  call_memberships: 0,
  open_sessions_closed: 0,
  raised_hands: 0,
  lobby_entries: 0,
  uid_bindings: 0,
  mute_rules: 0,
  events: 0,
  sessions_anonymised: 0,
  media_segments_anonymised: 0,
  calls_created_anonymised: 0,
  rings_anonymised: 0,
  lobby_decisions_anonymised: 0,
  recordings_started_anonymised: 0,
});

/**
 * Erases a member (`DELETE /api/calling/admin/members/:member`). Each feature erases its own rows
 * through its own service; this orders the steps, each its own transaction and each safe to run
 * again, so an erasure cut off midway is completed by the next one:
 *
 * 1. Per call where they have a place, one call at a time, the call's row lock first: taken out
 *    as a removal (open session closed, stage seat given back, mute rules forgotten), then their
 *    membership, lobby entry and uid bindings deleted; after the commit, uids kicked.
 * 2. The analytics rollup folds what is not folded yet, so their sessions are in the per-day
 *    aggregates under their own id before the id changes: past windows read the same after.
 * 3. Their history moves to a fresh anonymous id (one transaction): the calls they created,
 *    sessions, segments, rings, lobby decisions, recordings they started.
 * 4. Their preferences are deleted; then every event naming them (in batches).
 * 5. Their `users` row (their OTO#) is deleted last, with `member.erased` in the same
 *    transaction when anything was erased: until then a retry still finds them by OTO#.
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly calls: CallsErasure,
    private readonly uids: AssignedUids,
    private readonly moderation: ModerationService,
    private readonly rollup: AnalyticsRollup,
    private readonly preferences: PreferencesService,
    private readonly idempotency: Idempotency,
    private readonly recordings: RecordingRetention,
    private readonly outbox: EventsOutbox,
  ) {}

  /** Erases the member with this user id (null: an OTO# nobody holds, nothing to erase). */
  async erase(userId: number | null): Promise<MemberErasedDto> {
    const erasureId = randomUUID();
    const erasedAt = this.clock.now();
    const counts = noCounts();
    if (userId !== null) {
      await this.leaveCalls(userId, erasedAt, counts);
      await this.rollup.foldAll();
      await this.anonymise(userId, counts);
      counts.preferences = await this.tx.run((manager) => this.preferences.eraseMember(manager, userId));
      counts.idempotency_keys = await this.tx.run((manager) => this.idempotency.eraseMember(manager, userId));
      counts.events = await this.outbox.eraseMember(userId);
      await this.forget(userId, erasureId, erasedAt, counts);
    }
    this.logger.log({ msg: 'member erased', erasureId, erased: counts });
    return { erasure_id: erasureId, erased_at: erasedAt.toISOString(), erased: counts };
  }

  private async leaveCalls(userId: number, now: Date, counts: ErasedCountsDto): Promise<void> {
    for (const callId of await this.calls.callsWithPlaceOf(userId)) {
      // Read before the bindings are deleted: the uids to kick once the removal has committed.
      const uids = (await this.uids.uidsOf(callId, [userId])).get(userId) ?? [];
      const { removal, forgotten } = await this.tx.run(async (manager) => ({
        removal: await this.moderation.removeForErasure(manager, callId, userId, now),
        forgotten: await this.calls.forgetInCall(manager, callId, userId),
      }));
      counts.call_memberships += forgotten.memberships;
      counts.lobby_entries += forgotten.lobbyEntries;
      counts.uid_bindings += forgotten.uidBindings;
      if (!removal) continue;
      if (removal.sessionClosed) counts.open_sessions_closed += 1;
      if (removal.handRaised) counts.raised_hands += 1;
      counts.mute_rules += removal.muteRules;
      await this.moderation.afterErasureRemoval(removal, uids);
    }
  }

  private async anonymise(userId: number, counts: ErasedCountsDto): Promise<void> {
    await this.tx.run(async (manager) => {
      const anonymousId = await this.calls.newAnonymousId(manager);
      const moved = await this.calls.anonymise(manager, userId, anonymousId);
      const recordings = await this.recordings.anonymiseStarter(manager, userId, anonymousId);
      Object.assign(counts, {
        sessions_anonymised: moved.sessions,
        media_segments_anonymised: moved.mediaSegments,
        calls_created_anonymised: moved.callsCreated,
        rings_anonymised: moved.rings,
        lobby_decisions_anonymised: moved.lobbyDecisions,
        recordings_started_anonymised: recordings,
      });
    });
  }

  private async forget(userId: number, erasureId: string, erasedAt: Date, counts: ErasedCountsDto): Promise<void> {
    await this.tx.run(async (manager) => {
      counts.member = await this.users.erase(manager, userId);
      if (!Object.values(counts).some((n) => n > 0)) return;
      await this.outbox.record(manager, {
        type: 'member.erased',
        callId: NO_CALL,
        occurredAt: erasedAt,
        data: { erasure_id: erasureId, erased_at: erasedAt.toISOString(), erased: { ...counts } },
      });
    });
  }
}
