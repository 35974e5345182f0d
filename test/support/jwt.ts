import { sign, SignOptions } from 'jsonwebtoken';
import { createHmac } from 'node:crypto';
import { DEV_JWT_SECRET } from '../../src/config/auth.config';

export interface TokenClaims {
  user_id?: number | string;
  id?: number | string;
  sub?: string;
  membership_stage?: string;
  role?: string;
  converse_id?: string;
  username?: string;
  email?: string;
  [claim: string]: unknown;
}

/** Signs a token the way Ikoota's login does (HS256, the shared secret). */
export function signToken(claims: TokenClaims, options: SignOptions = {}, secret = process.env.JWT_SECRET ?? DEV_JWT_SECRET): string {
  return sign(claims, secret, { algorithm: 'HS256', expiresIn: '1h', ...options });
}

/**
 * A token signed HS256 by hand over exactly `payload`, which need not be JSON at all (jsonwebtoken
 * only signs objects with an `exp` the caller asks for): for payloads no real issuer would sign.
 */
export function signRawPayload(payload: string, secret = process.env.JWT_SECRET ?? DEV_JWT_SECRET): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(payload, 'utf8').toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

/** Realistic Ikoota claims, including the identity fields the service must never store or echo. */
export function ikootaClaims(userId: number, stage: string, role = 'user', extra: TokenClaims = {}): TokenClaims {
  return {
    user_id: userId,
    username: `real-name-${userId}`,
    email: `person${userId}@example.org`,
    membership_stage: stage,
    initial_application_status: 'approved',
    full_membership_appl_status: stage === 'member' ? 'approved' : 'pending',
    role,
    application_ticket: `TICKET-${userId}`,
    ...extra,
  };
}

export const bearer = (token: string): { Authorization: string } => ({ Authorization: `Bearer ${token}` });

/** Authorization headers for a user of each tier and role. */
export const as = {
  member: (id: number, extra?: TokenClaims) => bearer(signToken(ikootaClaims(id, 'member', 'user', extra))),
  preMember: (id: number, extra?: TokenClaims) => bearer(signToken(ikootaClaims(id, 'pre_member', 'user', extra))),
  fullMember: (id: number) => bearer(signToken(ikootaClaims(id, 'full_member'))),
  applicant: (id: number) => bearer(signToken(ikootaClaims(id, 'applicant'))),
  nonMember: (id: number) => bearer(signToken(ikootaClaims(id, 'none'))),
  admin: (id: number) => bearer(signToken(ikootaClaims(id, 'none', 'admin'))),
  superAdmin: (id: number) => bearer(signToken(ikootaClaims(id, 'member', 'super_admin'))),
};
