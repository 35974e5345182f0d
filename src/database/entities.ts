import { User } from '../auth/entities/user.entity';
import { CallMember } from '../calls/entities/call-member.entity';
import { CallSession } from '../calls/entities/call-session.entity';
import { Call } from '../calls/entities/call.entity';
import { UidBinding } from '../tokens/entities/uid-binding.entity';

/** Every entity the DataSource knows, listed explicitly (no globs). */
export const ENTITIES = [User, Call, CallMember, CallSession, UidBinding];
