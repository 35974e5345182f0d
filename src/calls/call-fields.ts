import { iso } from '../common/iso';
import { OPEN, TOKEN_EXPIRY_LAG_MS } from './entities/call-session.entity';
import { CALL_DESCRIPTION_MAX_LENGTH, CALL_STATUSES, CALL_TITLE_MAX_LENGTH, CHANNEL_NAME_MAX_LENGTH } from './entities/call.entity';
import type { Call } from './entities/call.entity';
import { CALL_MODES, ENCRYPTION_MODES } from './entities/call.entity';

/**
 * The calls feature's public values, for other features' DTOs and SQL: the call statuses, the
 * fields' lengths, and the conditions their queries over calls and sessions use. (The entities
 * themselves are the calls feature's own; other features import their types only.)
 */
export { CALL_DESCRIPTION_MAX_LENGTH, CALL_STATUSES, CALL_TITLE_MAX_LENGTH, CHANNEL_NAME_MAX_LENGTH, OPEN, TOKEN_EXPIRY_LAG_MS };

/**
 * The calls not ended, as a condition an index on (status, ...) can seek: two equalities, where
 * `status <> 'ended'` would walk every call in a created_at range instead.
 */
export const LIVE = "IN ('active', 'paused')";

/** A call's lobby settings (issue 24) as its rows show them (my-calls, GET /:callId, the admin's calls and details). */
export function lobbyRowFields(call: Pick<Call, 'lobby' | 'waitForHost'>): { lobby: boolean; wait_for_host: boolean } {
  return { lobby: Boolean(call.lobby), wait_for_host: Boolean(call.waitForHost) };
}

/** What every call row shows of a call's settings beyond the spec's fields: the schedule, the lobby and the stage (null speaker fields on a conference). */
export interface CallSettingsRowFields {
  starts_at: string | null;
  ends_at: string | null;
  lobby: boolean;
  wait_for_host: boolean;
  mode: Call['mode'];
  max_speakers: number | null;
  speaker_count: number | null;
  encryption: Call['encryption'];
}

/** The settings' row fields, one mapping for every row (my-calls, GET /:callId, PATCH answers, the admin's calls and details). */
export function settingsRowFields(call: Pick<Call, 'startsAt' | 'endsAt' | 'lobby' | 'waitForHost' | 'mode' | 'maxSpeakers' | 'speakerCount' | 'encryption'>): CallSettingsRowFields {
  return {
    starts_at: iso(call.startsAt),
    ends_at: iso(call.endsAt),
    ...lobbyRowFields(call),
    mode: call.mode,
    max_speakers: call.mode === 'stage' ? call.maxSpeakers : null,
    speaker_count: call.mode === 'stage' ? call.speakerCount : null,
    // The mode only (issue 26): the key and salt are in join and token answers, nowhere else.
    encryption: call.encryption,
  };
}

/** The lobby settings of a create request (camelCase, both off unless given). */
export function lobbySettingsOf(dto: { lobby?: boolean; waitForHost?: boolean }): Pick<Call, 'lobby' | 'waitForHost'> {
  return { lobby: dto.lobby ?? false, waitForHost: dto.waitForHost ?? false };
}
/** The call modes (stages, issue 25). */
export { CALL_MODES };
/** The media encryption modes (issue 26). */
export { ENCRYPTION_MODES };
