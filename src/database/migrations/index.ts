import { CreateUsers1764028800000 } from './1764028800000-CreateUsers';
import { CreateCalls1764028900000 } from './1764028900000-CreateCalls';
import { CreatePreferences1764029000000 } from './1764029000000-CreatePreferences';
import { CreateMediaSegmentsAndAnalytics1764029100000 } from './1764029100000-CreateMediaSegmentsAndAnalytics';
import { Presence1764029200000 } from './1764029200000-Presence';
import { AnalyticsScale1764029400000 } from './1764029400000-AnalyticsScale';
import { AnalyticsLastDayCounts1764029500000 } from './1764029500000-AnalyticsLastDayCounts';
import { PresenceEvidence1764029600000 } from './1764029600000-PresenceEvidence';
import { AnalyticsRollup1764029700000 } from './1764029700000-AnalyticsRollup';
import { HostControls1764029800000 } from './1764029800000-HostControls';
import { AdminConsoleIndexes1764029900000 } from './1764029900000-AdminConsoleIndexes';
import { Events1764030000000 } from './1764030000000-Events';
import { Recordings1764030100000 } from './1764030100000-Recordings';
import { MuteRuleExpiry1764031000000 } from './1764031000000-MuteRuleExpiry';
import { Lobby1764032000000 } from './1764032000000-Lobby';
import { CallSchedules1764032100000 } from './1764032100000-CallSchedules';
import { Stages1764032200000 } from './1764032200000-Stages';
import { EncryptedCalls1764032300000 } from './1764032300000-EncryptedCalls';
import { IdempotencyKeys1764032500000 } from './1764032500000-IdempotencyKeys';

/** Every migration in the order it runs. Add new ones at the end. */
export const MIGRATIONS = [
  CreateUsers1764028800000,
  CreateCalls1764028900000,
  CreatePreferences1764029000000,
  CreateMediaSegmentsAndAnalytics1764029100000,
  Presence1764029200000,
  AnalyticsScale1764029400000,
  AnalyticsLastDayCounts1764029500000,
  PresenceEvidence1764029600000,
  AnalyticsRollup1764029700000,
  HostControls1764029800000,
  AdminConsoleIndexes1764029900000,
  Events1764030000000,
  Recordings1764030100000,
  MuteRuleExpiry1764031000000,
  Lobby1764032000000,
  CallSchedules1764032100000,
  Stages1764032200000,
  EncryptedCalls1764032300000,
  IdempotencyKeys1764032500000,
];
