import { OPEN, TOKEN_EXPIRY_LAG_MS } from './entities/call-session.entity';
import { CALL_DESCRIPTION_MAX_LENGTH, CALL_STATUSES, CALL_TITLE_MAX_LENGTH, CHANNEL_NAME_MAX_LENGTH } from './entities/call.entity';
import { CALL_MODES } from './entities/call.entity';

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

/** The call modes (stages, issue 25). */
export { CALL_MODES };
