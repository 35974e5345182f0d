import { DomainException } from '../common/exceptions/domain.exception';
import { CallRole } from './entities/call-member.entity';

/**
 * What an action on a call needs of the caller:
 * - `moderate`: the host, a moderator or an admin (pause, resume, edit, remove, mute, record);
 * - `host`: the host or an admin (invite, change roles, end).
 */
export type Power = 'moderate' | 'host';

/**
 * The one rule for call powers, beside the admission rule (`admission.ts`), used by every route
 * that needs one: null when the caller may `action` (words for the refusal: "pause this call"),
 * else the refusal. `role` is the caller's role in the call as the route reads it (null: no
 * place). `message` replaces the refusal's default words where a route's answer has its own.
 */
export function powerRefusal(power: Power, role: CallRole | null, user: { isAdmin: boolean }, action: string, message?: string): DomainException | null {
  if (user.isAdmin || role === 'host' || (power === 'moderate' && role === 'moderator')) return null;
  if (power === 'host') return new DomainException('NOT_CALL_HOST', message ?? `Only the call host or an admin can ${action}`);
  return new DomainException('NOT_CALL_MODERATOR', message ?? `Only the call host, a moderator or an admin can ${action}`);
}

/** Throws the refusal of `powerRefusal`, if any. */
export function requirePower(power: Power, role: CallRole | null, user: { isAdmin: boolean }, action: string, message?: string): void {
  const refusal = powerRefusal(power, role, user, action, message);
  if (refusal) throw refusal;
}

/**
 * Whether a moderator acts above their rank: on the host or another moderator (an admin and the
 * host may act on anyone). The route says what that refusal means for it.
 */
export function outranked(role: CallRole | null, user: { isAdmin: boolean }, targetRole: CallRole): boolean {
  return !user.isAdmin && role === 'moderator' && targetRole !== 'participant';
}
