import { User } from './auth/entities/user.entity';
import { CallMember } from './calls/entities/call-member.entity';
import { CallSession } from './calls/entities/call-session.entity';
import { Call } from './calls/entities/call.entity';
import { UidBinding } from './calls/entities/uid-binding.entity';
import { CallPreference } from './preferences/entities/call-preference.entity';
import { CallMediaSegment } from './calls/entities/call-media-segment.entity';
import { AnalyticsDay } from './analytics/entities/analytics-day.entity';
import { AnalyticsDaySketch } from './analytics/entities/analytics-day-sketch.entity';
import { AgoraNotice } from './presence/entities/agora-notice.entity';
import { JobLock } from './jobs/entities/job-lock.entity';
import { MuteRule } from './moderation/entities/mute-rule.entity';
import { CallEvent } from './outbox/entities/call-event.entity';
import { CallRing } from './calls/entities/call-ring.entity';
import { Recording } from './recordings/entities/recording.entity';
import { LobbyEntry } from './calls/entities/lobby-entry.entity';
import { IdempotencyKey } from './idempotency/entities/idempotency-key.entity';
import { CallMediaKey } from './calls/entities/call-media-key.entity';

/** Every entity the DataSource knows, listed explicitly (no globs). */
export const ENTITIES = [User, Call, CallMember, CallSession, UidBinding, CallPreference, CallMediaSegment, AnalyticsDay, AnalyticsDaySketch, AgoraNotice, JobLock, MuteRule, CallEvent, CallRing, Recording, LobbyEntry, CallMediaKey, IdempotencyKey];
