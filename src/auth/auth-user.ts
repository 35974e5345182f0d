/** The caller as the service knows them: an Ikoota user id, an OTO# number and access facts. */
export interface AuthUser {
  id: number;
  otoNumber: string;
  membershipStage: string;
  role: string;
  isAdmin: boolean;
  isMember: boolean;
}

export const MEMBER_STAGES = ['pre_member', 'member', 'full_member'] as const;
export const ADMIN_ROLES = ['admin', 'super_admin'] as const;

export function isAdminRole(role: string): boolean {
  return (ADMIN_ROLES as readonly string[]).includes(role);
}

export function isMemberStage(stage: string): boolean {
  return (MEMBER_STAGES as readonly string[]).includes(stage);
}

/** `OTO#` followed by 6 characters of A-Z and 0-9. */
export const OTO_NUMBER_PATTERN = /^OTO#[A-Z0-9]{6}$/;
