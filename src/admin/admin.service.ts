import { Injectable } from '@nestjs/common';
import { AuthUser } from '../auth/auth-user';
import { UsersService } from '../auth/users.service';
import { CallsService, toCallRow } from '../calls/calls.service';
import { CallRowDto } from '../calls/dto/call-row.dto';
import { CallEndedDto } from '../calls/dto/end-call.dto';
import { secondsBetween } from '../calls/participation.service';
import { stageRoleOf } from '../calls/stage-roles';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { ModerationService } from '../moderation/moderation.service';
import { ParticipantRemovedDto } from '../moderation/dto/participant-removed.dto';
import { AdminConsoleRepository } from './admin-console.repository';
import { CallDetailsDto } from './dto/call-details.dto';

const minutes = (ms: number): number => Math.round((ms / 60_000) * 100) / 100;

@Injectable()
export class AdminService {
  constructor(
    private readonly callsService: CallsService,
    private readonly repository: AdminConsoleRepository,
    private readonly users: UsersService,
    private readonly moderation: ModerationService,
    private readonly clock: Clock,
  ) {}

  /** Everything about one call: its row, every session (members by OTO#) and its totals. */
  async details(callId: number): Promise<CallDetailsDto> {
    const call = await this.repository.findCall(callId);
    if (!call) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
    const [sessions, roleOf, segments] = await Promise.all([this.repository.sessionsOf(callId), this.repository.rolesIn(callId), this.repository.segmentsOf(callId)]);
    const now = this.clock.now();
    const otos = await this.users.otoNumbers(sessions.map((s) => s.userId));
    const used = { audio: 0, video: 0 };
    for (const segment of segments) used[segment.media] += Math.max(0, (segment.endedAt ?? now).getTime() - segment.startedAt.getTime());
    return {
      call: {
        ...withoutMemberView(toCallRow(call, null)),
        ended_at: call.endedAt ? call.endedAt.toISOString() : null,
        ended_by: call.endedBy,
      },
      participants: sessions.map((s) => ({
        user_id: s.userId,
        oto_number: otos.get(s.userId) ?? 'OTO#UNKNWN',
        role: roleOf.get(s.userId)?.role ?? 'participant',
        joined_at: s.joinedAt.toISOString(),
        left_at: s.leftAt ? s.leftAt.toISOString() : null,
        duration_seconds: s.durationSeconds,
        media: s.media,
        leave_reason: s.leaveReason,
        stage_role: stageRoleOf(call.mode, roleOf.get(s.userId) ?? null),
      })),
      stats: {
        total_participants: new Set(sessions.map((s) => s.userId)).size,
        peak_participants: call.peakParticipants,
        total_duration_seconds: secondsBetween(call.createdAt, call.endedAt ?? now),
        audio_minutes_consumed: minutes(used.audio),
        video_minutes_consumed: minutes(used.video),
      },
    };
  }

  end(callId: number): Promise<CallEndedDto> {
    return this.callsService.end(callId, 'admin');
  }

  /** The one removal (ModerationService.removeParticipant), shared with the member-facing route. */
  removeParticipant(admin: AuthUser, callId: number, userId: number): Promise<ParticipantRemovedDto> {
    return this.moderation.removeParticipant(admin, callId, userId);
  }
}

/** The call row without the fields that describe one member's view of it. */
function withoutMemberView(row: CallRowDto): Omit<CallRowDto, 'role' | 'participant_count'> {
  const { role: _role, participant_count: _count, ...call } = row;
  return call;
}
