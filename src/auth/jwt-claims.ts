import { OTO_NUMBER_PATTERN } from './auth-user';

/** What the service reads from an Ikoota JWT. Username and email are never read. */
export interface IkootaClaims {
  userId: number;
  membershipStage: string;
  role: string;
  converseId?: string;
}

const MAX_USER_ID = 2_147_483_647;

function toUserId(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value > 0 && value <= MAX_USER_ID ? value : undefined;
  if (typeof value === 'string' && /^\d{1,10}$/.test(value)) {
    const id = Number(value);
    return id > 0 && id <= MAX_USER_ID ? id : undefined;
  }
  return undefined;
}

function toStage(value: unknown): string {
  return typeof value === 'string' && value.length > 0 && value.length <= 32 ? value : 'none';
}

/**
 * Reads the claims Ikoota's login issues: the id from `user_id`, else `id`, else `sub`
 * (integers or numeric strings); `membership_stage`, `role`, `converse_id`.
 * Returns undefined when there is no usable user id.
 */
export function readIkootaClaims(payload: Record<string, unknown>): IkootaClaims | undefined {
  const userId = toUserId(payload.user_id ?? payload.id ?? payload.sub);
  if (userId === undefined) return undefined;
  const converseId = typeof payload.converse_id === 'string' ? payload.converse_id.toUpperCase() : undefined;
  return {
    userId,
    membershipStage: toStage(payload.membership_stage),
    role: typeof payload.role === 'string' && payload.role.length <= 32 ? payload.role : 'user',
    converseId: converseId && OTO_NUMBER_PATTERN.test(converseId) ? converseId : undefined,
  };
}
