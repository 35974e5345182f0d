import { join as joinPath } from 'node:path';
import { EntityManager } from 'typeorm';
import { AdminConsoleRepository } from '../src/admin/admin-console.repository';
import { AnalyticsRepository } from '../src/analytics/analytics.repository';
import { CallsRepository } from '../src/calls/calls.repository';
import { CallsErasureRepository } from '../src/calls/calls-erasure.repository';
import { CallScheduleRepository } from '../src/calls/call-schedule.repository';
import { DirectCallsRepository } from '../src/calls/direct-calls.repository';
import { LobbyRepository } from '../src/calls/lobby.repository';
import { MediaKeysRepository } from '../src/calls/media-keys.repository';
import { CallSession } from '../src/calls/entities/call-session.entity';
import { Call } from '../src/calls/entities/call.entity';
import { ParticipationRepository } from '../src/calls/participation.repository';
import { TransactionRunner } from '../src/database/transaction-runner.service';
import { EventsRepository } from '../src/events/events.repository';
import { ModerationRepository } from '../src/moderation/moderation.repository';
import { OutboxRepository } from '../src/outbox/outbox.repository';
import { PresenceRepository } from '../src/presence/presence.repository';
import { RecordingsRepository } from '../src/recordings/recordings.repository';
import { Recording } from '../src/recordings/entities/recording.entity';
import { RetentionRepository } from '../src/retention/retention.repository';
import { TokensRepository } from '../src/tokens/tokens.repository';
import { UsersRepository } from '../src/auth/users.repository';
import { User } from '../src/auth/entities/user.entity';
import { PreferencesRepository } from '../src/preferences/preferences.repository';
import { CallPreference } from '../src/preferences/entities/call-preference.entity';
import { JobLeasesRepository } from '../src/jobs/job-leases.repository';
import { StageRepository } from '../src/stage/stage.repository';
import { IdempotencyRepository } from '../src/idempotency/idempotency.repository';
import { createCall, join, token } from './support/calls';
import { FakeClock } from './support/clock';
import { as } from './support/jwt';
import { forFile, oneLine, readSqlFile, SqlRecorder, Statement, writeSqlFile } from './support/sql-recorder';
import { startApp, TestApp, usingMysql } from './support/test-app';

/**
 * Repository ("medium") tests: every method of every repository runs on the real database
 * (SQLite here, MariaDB under TEST_DB=mysql), and the SQL it sends is compared with the
 * repository's `*.repository.sql` file beside it, so a query change shows in review as a diff of
 * that file. `UPDATE_SQL=1` rewrites the file (this database's sections) instead of comparing.
 * The hot queries (join, leave, token admission, the sweep, the call schedule, the admin list) are EXPLAINed and
 * must use an index.
 */

const dialect = usingMysql ? 'mysql' : 'sqlite';
const update = process.env.UPDATE_SQL === '1';
const NOW = new Date('2026-05-04T10:00:00.000Z');
const LATER = new Date('2026-05-04T11:00:00.000Z');

/** Thrown at the end of each write case, so every case starts from the same rows. */
class RolledBack extends Error {}

// What each case gets: the ids of the fixture's call, session and members, and the open transaction.
interface Fixture {
  callId: number;
  channelName: string;
  sessionId: number;
  hostId: number;
  memberId: number;
  uid: number;
}
type Case = (m: EntityManager, f: Fixture) => Promise<unknown>;

/** The repositories, where their files are, and one case (or more, `method: variant`) per method. */
const REPOSITORIES: Array<{ type: abstract new (...args: never[]) => object; file: string; cases: Record<string, (repo: never) => Case> }> = [
  {
    type: CallsRepository,
    file: 'src/calls/calls.repository.sql',
    cases: {
      lockCall: (r: CallsRepository) => (m, f) => r.lockCall(m, f.callId),
      noteLocked: (r: CallsRepository) => async (m, f) => r.noteLocked(m, f.callId),
      lockedCall: (r: CallsRepository) => (m, f) => r.lockedCall(m, f.callId),
      insertCall: (r: CallsRepository) => (m) => r.insertCall(m, { title: 'A call', description: null, channelName: 'ikoota_sqlfile_1', creatorId: 601, isPublic: false, maxParticipants: 50, createdAt: NOW, mode: 'conference', maxSpeakers: null, speakerCount: null }),
      findCall: (r: CallsRepository) => (_m, f) => r.findCall(f.callId),
      callExists: (r: CallsRepository) => (m, f) => r.callExists(f.callId, m),
      channelNameOf: (r: CallsRepository) => (m, f) => r.channelNameOf(m, f.callId),
      'callsOfMember: mine': (r: CallsRepository) => (_m, f) => r.callsOfMember(f.memberId, undefined, 20, 'mine'),
      'callsOfMember: all, by status': (r: CallsRepository) => (_m, f) => r.callsOfMember(f.memberId, 'active', 20, 'all'),
      'callsOfMember: upcoming': (r: CallsRepository) => (_m, f) => r.callsOfMember(f.memberId, undefined, 20, 'all', NOW),
      markEnded: (r: CallsRepository) => (m, f) => r.markEnded(m, f.callId, LATER, 'host', false),
      'markEnded: only if empty': (r: CallsRepository) => (m, f) => r.markEnded(m, f.callId, LATER, 'system', true),
      liveCounts: (r: CallsRepository) => (m) => r.liveCounts(m),
      memberRow: (r: CallsRepository) => (m, f) => r.memberRow(m, f.callId, f.memberId),
      findMember: (r: CallsRepository) => (_m, f) => r.findMember(f.callId, f.memberId),
      membersAmong: (r: CallsRepository) => (m, f) => r.membersAmong(m, f.callId, [f.memberId, 603]),
      addMembers: (r: CallsRepository) => (m, f) => r.addMembers(m, f.callId, [603, 604], NOW),
      memberViews: (r: CallsRepository) => (_m, f) => r.memberViews(f.callId, [f.hostId, f.memberId]),
      'currentMembersOf: among': (r: CallsRepository) => (_m, f) => r.currentMembersOf([f.callId], [f.memberId]),
      currentMembersOf: (r: CallsRepository) => (_m, f) => r.currentMembersOf([f.callId]),
      'currentMembersOf: hosts and moderators': (r: CallsRepository) => (_m, f) => r.currentMembersOf([f.callId], [f.hostId], ['host', 'moderator']),
    },
  },
  {
    type: CallsErasureRepository,
    file: 'src/calls/calls-erasure.repository.sql',
    cases: {
      callsWithPlaceOf: (r: CallsErasureRepository) => (_m, f) => r.callsWithPlaceOf(f.memberId),
      deleteMember: (r: CallsErasureRepository) => (m, f) => r.deleteMember(m, f.callId, f.memberId),
      deleteLobbyEntry: (r: CallsErasureRepository) => (m, f) => r.deleteLobbyEntry(m, f.callId, f.memberId),
      deleteUidBindings: (r: CallsErasureRepository) => (m, f) => r.deleteUidBindings(m, f.callId, f.memberId),
      idInUse: (r: CallsErasureRepository) => (m) => r.idInUse(m, -42),
      moveCreator: (r: CallsErasureRepository) => (m, f) => r.moveCreator(m, f.hostId, -42),
      moveRings: (r: CallsErasureRepository) => (m, f) => r.moveRings(m, f.hostId, -42),
      moveLobbyDecisions: (r: CallsErasureRepository) => (m, f) => r.moveLobbyDecisions(m, f.hostId, -42),
      moveSessions: (r: CallsErasureRepository) => (m, f) => r.moveSessions(m, f.memberId, -42),
    },
  },
  {
    type: ParticipationRepository,
    file: 'src/calls/participation.repository.sql',
    cases: {
      memberState: (r: ParticipationRepository) => (m, f) => r.memberState(m, f.callId, f.memberId),
      openSessionForUpdate: (r: ParticipationRepository) => (m, f) => r.openSessionForUpdate(m, f.callId, f.memberId),
      reserveSlot: (r: ParticipationRepository) => (m, f) => r.reserveSlot(m, f.callId),
      releaseSlot: (r: ParticipationRepository) => (m, f) => r.releaseSlot(m, f.callId),
      addMember: (r: ParticipationRepository) => (m, f) => r.addMember(m, f.callId, 605, NOW),
      insertSession: (r: ParticipationRepository) => (m, f) =>
        r.insertSession(m, m.create(CallSession, { callId: f.callId, userId: 605, media: 'audio', open: 1, joinedAt: NOW, leftAt: null, durationSeconds: null, leaveReason: null, lastSeenAt: NOW, heartbeatAt: null, agoraJoinedAt: null, tokenExpiresAt: null, lastClientSeq: null })),
      closeSession: (r: ParticipationRepository) => (m, f) => r.closeSession(m, f.sessionId, LATER, 3600, 'left'),
      setSessionMedia: (r: ParticipationRepository) => (m, f) => r.setSessionMedia(m, f.sessionId, 'audio'),
      openSessionsOf: (r: ParticipationRepository) => (m, f) => r.openSessionsOf(m, f.callId),
      openSessionsByJoin: (r: ParticipationRepository) => (_m, f) => r.openSessionsByJoin(f.callId),
      openSegment: (r: ParticipationRepository) => (m, f) => r.openSegment(m, { id: f.sessionId, callId: f.callId, userId: f.memberId }, 'audio', LATER),
      findOpenSegment: (r: ParticipationRepository) => (m, f) => r.findOpenSegment(m, f.sessionId),
      closeSegmentRow: (r: ParticipationRepository) => (m, f) => r.closeSegmentRow(m, f.sessionId, LATER, 60),
      assignedUid: (r: ParticipationRepository) => (m, f) => r.assignedUid(m, f.callId, f.memberId),
      bindAssignedUid: (r: ParticipationRepository) => (m, f) => r.bindAssignedUid(m, f.callId, 605, 4242, NOW),
      uidsOf: (r: ParticipationRepository) => (_m, f) => r.uidsOf(f.callId, [f.memberId, f.hostId]),
      bindPickedUid: (r: ParticipationRepository) => (m, f) => r.bindPickedUid(m, f.callId, 4343, f.memberId, NOW),
      uidOwner: (r: ParticipationRepository) => (_m, f) => r.uidOwner(f.callId, f.uid),
      // Group joins (issue 25).
      lockForJoins: (r: ParticipationRepository) => (m, f) => r.lockForJoins(m, f.callId),
      memberStates: (r: ParticipationRepository) => async (m, f) => r.memberStates(m, (await r.memberState(m, f.callId, f.memberId))!.call, [f.memberId, f.hostId, 605]),
      takeSlots: (r: ParticipationRepository) => (m, f) => r.takeSlots(m, f.callId, 2),
      openSessions: (r: ParticipationRepository) => (m, f) => r.openSessions(m, f.callId, [{ userId: 605, media: 'audio' }, { userId: 606, media: 'video' }], NOW),
      bindAssignedUids: (r: ParticipationRepository) => (m, f) => r.bindAssignedUids(m, f.callId, [{ userId: 605, uid: 4242 }, { userId: 606, uid: 4244 }], NOW),
    },
  },
  {
    type: CallScheduleRepository,
    file: 'src/calls/call-schedule.repository.sql',
    cases: {
      dueToEnd: (r: CallScheduleRepository) => () => r.dueToEnd(NOW, 100),
      'dueForReminder: starting': (r: CallScheduleRepository) => () => r.dueForReminder('starting', NOW, LATER, 100),
      'dueForReminder: ending': (r: CallScheduleRepository) => () => r.dueForReminder('ending', NOW, LATER, 100),
      'claimReminder: starting': (r: CallScheduleRepository) => (m, f) => r.claimReminder(m, 'starting', f.callId, LATER),
      'claimReminder: ending': (r: CallScheduleRepository) => (m, f) => r.claimReminder(m, 'ending', f.callId, LATER),
      latestStay: (r: CallScheduleRepository) => (m, f) => r.latestStay(m, f.callId),
    },
  },
  {
    type: DirectCallsRepository,
    file: 'src/calls/direct-calls.repository.sql',
    cases: {
      insertRing: (r: DirectCallsRepository) => (m, f) => r.insertRing(m, { callId: f.callId, callerId: f.hostId, calleeId: f.memberId, media: 'video', state: 'ringing', expiresAt: LATER, answeredAt: null }),
      ringOf: (r: DirectCallsRepository) => (m, f) => r.ringOf(f.callId, m),
      endRinging: (r: DirectCallsRepository) => (m, f) => r.endRinging(m, f.callId, 'declined', NOW),
      ringsDue: (r: DirectCallsRepository) => () => r.ringsDue(NOW, 100),
    },
  },
  {
    type: MediaKeysRepository,
    file: 'src/calls/media-keys.repository.sql',
    cases: {
      sealedOf: (r: MediaKeysRepository) => (m, f) => r.sealedOf(m, f.callId),
      replace: (r: MediaKeysRepository) => (m, f) => r.replace(m, { callId: f.callId, mode: 'aes-256-gcm2', sealed: 'c2VhbGVk', createdAt: NOW }),
      drop: (r: MediaKeysRepository) => (m, f) => r.drop(m, f.callId),
      liveEncryptedCalls: (r: MediaKeysRepository) => () => r.liveEncryptedCalls(),
    },
  },
  {
    type: LobbyRepository,
    file: 'src/calls/lobby.repository.sql',
    cases: {
      settingsOf: (r: LobbyRepository) => (_m, f) => r.settingsOf(f.callId),
      entryOf: (r: LobbyRepository) => (m, f) => r.entryOf(m, f.callId, 606),
      hostPresent: (r: LobbyRepository) => (m, f) => r.hostPresent(m, f.callId),
      insertWaiting: (r: LobbyRepository) => (m, f) => r.insertWaiting(m, f.callId, 606, NOW),
      restartWait: (r: LobbyRepository) => (m) => r.restartWait(m, 1, LATER),
      decide: (r: LobbyRepository) => (m) => r.decide(m, [1, 2], 'admitted', LATER, 501),
      withdraw: (r: LobbyRepository) => (m, f) => r.withdraw(m, f.callId, 606),
      waiting: (r: LobbyRepository) => (m, f) => r.waiting(f.callId, NOW, m),
      positionOf: (r: LobbyRepository) => (m, f) => r.positionOf(m, f.callId, NOW, { id: 1, since: LATER }),
    },
  },
  {
    type: PresenceRepository,
    file: 'src/presence/presence.repository.sql',
    cases: {
      recordHeartbeat: (r: PresenceRepository) => (m, f) => r.recordHeartbeat(m, f.callId, f.memberId, NOW),
      markSeen: (r: PresenceRepository) => (m, f) => r.markSeen(m, [f.sessionId], NOW),
      recordAgoraJoin: (r: PresenceRepository) => (m, f) => r.recordAgoraJoin(m, f.sessionId, NOW),
      claimSequence: (r: PresenceRepository) => (m, f) => r.claimSequence(m, f.sessionId, 7),
      liveCallByChannel: (r: PresenceRepository) => (m, f) => r.liveCallByChannel(m, f.channelName),
      openSessionOfUid: (r: PresenceRepository) => (m, f) => r.openSessionOfUid(m, f.callId, f.uid),
      openStayOfUid: (r: PresenceRepository) => (m, f) => r.openStayOfUid(m, f.callId, f.uid),
      'unconfirmedSince: heartbeats only': (r: PresenceRepository) => () => r.unconfirmedSince(NOW, false, 200, 0),
      unconfirmedSince: (r: PresenceRepository) => () => r.unconfirmedSince(NOW, true, 200, 0),
      expiredBy: (r: PresenceRepository) => () => r.expiredBy(NOW, 3_600_000, 200),
      idleCalls: (r: PresenceRepository) => () => r.idleCalls(NOW, 200),
      lastLeftAt: (r: PresenceRepository) => (_m, f) => r.lastLeftAt(f.callId),
      channelNames: (r: PresenceRepository) => (_m, f) => r.channelNames([f.callId]),
      recordNotice: (r: PresenceRepository) => (m) => r.recordNotice(m, 'notice-sqlfile-1', 103, NOW),
      purgeNotices: (r: PresenceRepository) => (m) => r.purgeNotices(m, LATER, 500),
    },
  },
  {
    type: TokensRepository,
    file: 'src/tokens/tokens.repository.sql',
    cases: {
      'tokenAdmission: assigned uid': (r: TokensRepository) => (_m, f) => r.tokenAdmission(f.channelName, f.memberId, undefined),
      'tokenAdmission: requested uid': (r: TokensRepository) => (_m, f) => r.tokenAdmission(f.channelName, f.memberId, f.uid),
      recordToken: (r: TokensRepository) => (m, f) => r.recordToken(m, f.sessionId, LATER, NOW),
    },
  },
  {
    type: ModerationRepository,
    file: 'src/moderation/moderation.repository.sql',
    cases: {
      setStatus: (r: ModerationRepository) => (m, f) => r.setStatus(m, f.callId, 'paused'),
      updateCall: (r: ModerationRepository) => (m, f) => r.updateCall(m, f.callId, { title: 'Renamed', maxParticipants: 30 }),
      setRole: (r: ModerationRepository) => (m) => r.setRole(m, 1, 'moderator'),
      setMuted: (r: ModerationRepository) => (m) => r.setMuted(m, 1, { audioMutedAt: NOW }),
      markRemoved: (r: ModerationRepository) => (m, f) => r.markRemoved(m, f.callId, f.memberId, NOW),
      tookPart: (r: ModerationRepository) => (m, f) => r.tookPart(m, f.callId, f.memberId),
      muteRulesOf: (r: ModerationRepository) => (m, f) => r.muteRulesOf(f.callId, f.memberId, ['publish_audio'], m),
      keepMuteRules: (r: ModerationRepository) => (m, f) => r.keepMuteRules(m, [{ callId: f.callId, userId: f.memberId, uid: f.uid, privilege: 'publish_audio', ruleId: 9001, createdAt: NOW, expiresAt: NOW }]),
      forgetMuteRules: (r: ModerationRepository) => (m) => r.forgetMuteRules(m, [1, 2]),
      deleteMuteRulesOf: (r: ModerationRepository) => (m, f) => r.deleteMuteRulesOf(m, f.callId, f.memberId),
    },
  },
  {
    type: StageRepository,
    file: 'src/stage/stage.repository.sql',
    cases: {
      takeSeat: (r: StageRepository) => (m, f) => r.takeSeat(m, f.callId),
      freeSeat: (r: StageRepository) => (m, f) => r.freeSeat(m, f.callId),
      setSpeaker: (r: StageRepository) => (m, f) => r.setSpeaker(m, f.callId, f.memberId, NOW),
      setListener: (r: StageRepository) => (m, f) => r.setListener(m, f.callId, f.memberId, NOW),
      raiseHand: (r: StageRepository) => (m, f) => r.raiseHand(m, f.callId, f.memberId, f.sessionId, NOW),
      lowerHand: (r: StageRepository) => (m, f) => r.lowerHand(m, f.callId, f.memberId),
      raisedHands: (r: StageRepository) => (_m, f) => r.raisedHands(f.callId, 100),
      countRaisedHands: (r: StageRepository) => (_m, f) => r.countRaisedHands(f.callId),
    },
  },
  {
    type: AnalyticsRepository,
    file: 'src/analytics/analytics.repository.sql',
    cases: {
      unfoldedCalls: (r: AnalyticsRepository) => (m) => r.unfoldedCalls(m),
      'unfoldedCalls: a batch': (r: AnalyticsRepository) => (m) => r.unfoldedCalls(m, 0, 500),
      unfoldedSessions: (r: AnalyticsRepository) => (m) => r.unfoldedSessions(m),
      'unfoldedSessions: a batch': (r: AnalyticsRepository) => (m) => r.unfoldedSessions(m, 0, 500),
      unfoldedSegments: (r: AnalyticsRepository) => (m) => r.unfoldedSegments(m),
      'unfoldedSegments: a batch': (r: AnalyticsRepository) => (m) => r.unfoldedSegments(m, 0, 500),
      'markFolded: sessions': (r: AnalyticsRepository) => (m, f) => r.markFolded(m, 'sessions', [f.sessionId], NOW),
      'markFolded: segments': (r: AnalyticsRepository) => (m) => r.markFolded(m, 'segments', [1], NOW),
      markCallsFolded: (r: AnalyticsRepository) => (m, f) => r.markCallsFolded(m, [{ id: f.callId, state: null, endedAt: null }]),
      livePeaks: (r: AnalyticsRepository) => (m) => r.livePeaks(NOW, LATER, m),
      storedDays: (r: AnalyticsRepository) => (m) => r.storedDays(m, '2026-05-01', '2026-05-04'),
      addToDay: (r: AnalyticsRepository) => (m) => r.addToDay(m, '2026-05-04', { callsCreated: 1, callsEnded: 0, endedDurationMs: 0, peakParticipants: 2, audioMs: 0, videoMs: 1000, participants: 2 }),
      sketchesForUpdate: (r: AnalyticsRepository) => (m) => r.sketchesForUpdate(m, ['2026-05-04']),
      'saveSketch: new': (r: AnalyticsRepository) => (m) => r.saveSketch(m, '2026-05-04', Buffer.alloc(16), false),
      'saveSketch: merged': (r: AnalyticsRepository) => (m) => r.saveSketch(m, '2026-05-04', Buffer.alloc(16), true),
    },
  },
  {
    type: AdminConsoleRepository,
    file: 'src/admin/admin-console.repository.sql',
    cases: {
      adminCalls: (r: AdminConsoleRepository) => () => r.adminCalls({ limit: 51 }),
      'adminCalls: a next page': (r: AdminConsoleRepository) => () => r.adminCalls({ before: { createdAt: new Date(NOW.getTime() - 1_900 * 3_600_000), id: 1000 }, limit: 51 }),
      'adminCalls: every filter': (r: AdminConsoleRepository) => (_m, f) =>
        r.adminCalls({ status: 'active', from: NOW, to: LATER, titleLike: '%call%', userId: f.memberId, before: { createdAt: LATER, id: 99 }, limit: 51 }),
      adminCallsQuery: (r: AdminConsoleRepository) => () => r.adminCallsQuery({ limit: 51 }).getMany(),
      busiestLiveCalls: (r: AdminConsoleRepository) => (m) => r.busiestLiveCalls(5, m),
      sessionsJoinedSince: (r: AdminConsoleRepository) => (m) => r.sessionsJoinedSince(NOW, m),
      sessionsWithTokenExpiringAfter: (r: AdminConsoleRepository) => (m) => r.sessionsWithTokenExpiringAfter(NOW, m),
      sessionsForExport: (r: AdminConsoleRepository) => () => r.sessionsForExport({ retainedSince: NOW }, null, 1000),
      'sessionsForExport: every filter': (r: AdminConsoleRepository) => (_m, f) => r.sessionsForExport({ from: NOW, to: LATER, callId: f.callId, retainedSince: NOW }, { joinedAt: NOW, id: 1 }, 1000),
      exportBatchQuery: (r: AdminConsoleRepository) => () => r.exportBatchQuery({ retainedSince: NOW }, null, 1000).getRawMany(),
      segmentsOfSessions: (r: AdminConsoleRepository) => (_m, f) => r.segmentsOfSessions([f.sessionId]),
      sessionsOf: (r: AdminConsoleRepository) => (_m, f) => r.sessionsOf(f.callId),
      segmentsOf: (r: AdminConsoleRepository) => (_m, f) => r.segmentsOf(f.callId),
      findCall: (r: AdminConsoleRepository) => (_m, f) => r.findCall(f.callId),
      rolesIn: (r: AdminConsoleRepository) => (_m, f) => r.rolesIn(f.callId),
    },
  },
  {
    type: RetentionRepository,
    file: 'src/retention/retention.repository.sql',
    cases: {
      endedCallsBefore: (r: RetentionRepository) => (m) => r.endedCallsBefore(m, NOW, { createdAt: new Date(0), id: 0 }, 500),
      deleteEndedCalls: (r: RetentionRepository) => (m, f) => r.deleteEndedCalls(m, [f.callId]),
    },
  },
  {
    type: RecordingsRepository,
    file: 'src/recordings/recordings.repository.sql',
    cases: {
      insertStarting: (r: RecordingsRepository) => (m, f) => r.insertStarting(m, { callId: f.callId, channelName: f.channelName, mode: 'mix', startedBy: f.hostId, uid: 4294967295, createdAt: NOW }),
      findInCall: (r: RecordingsRepository) => (m, f) => r.findInCall(m, f.callId, 1),
      find: (r: RecordingsRepository) => (m) => r.find(1, m),
      findBySid: (r: RecordingsRepository) => (m) => r.findBySid(m, 'sid-1'),
      ofCall: (r: RecordingsRepository) => (_m, f) => r.ofCall(f.callId),
      transition: (r: RecordingsRepository) => (m) => r.transition(m, 1, ['recording', 'stopping'], 'stopped', { stoppedAt: NOW }),
      deleteStarting: (r: RecordingsRepository) => (m) => r.deleteStarting(m, 1),
      setSubscribed: (r: RecordingsRepository) => (m) => r.setSubscribed(m, 1, [1, 2]),
      moveStarter: (r: RecordingsRepository) => (m, f) => r.moveStarter(m, f.hostId, -42),
      inState: (r: RecordingsRepository) => () => r.inState('recording', 200),
      'inState: before': (r: RecordingsRepository) => () => r.inState('starting', 200, 0, NOW),
      expired: (r: RecordingsRepository) => () => r.expired(NOW, 0, 500),
      deleteFinished: (r: RecordingsRepository) => (m) => r.deleteFinished(m, [1]),
      notePurgeFailed: (r: RecordingsRepository) => (m) => r.notePurgeFailed(m, [1]),
      page: (r: RecordingsRepository) => () => r.page(NOW, LATER, { createdAt: LATER, id: 9 }, 51),
      claimRecording: (r: RecordingsRepository) => (m, f) => r.claimRecording(m, f.callId, 1),
      releaseRecording: (r: RecordingsRepository) => (m, f) => r.releaseRecording(m, f.callId, 1),
      consentingUids: (r: RecordingsRepository) => (m, f) => r.consentingUids(f.callId, m),
      runningRecordingsOf: (r: RecordingsRepository) => (_m, f) => r.runningRecordingsOf(f.memberId),
      recordingStateOf: (r: RecordingsRepository) => (m, f) => r.recordingStateOf(f.callId, m),
    },
  },
  {
    type: EventsRepository,
    file: 'src/events/events.repository.sql',
    cases: {
      dueHeads: (r: EventsRepository) => () => r.dueHeads(NOW, 50, []),
      'dueHeads: skipping': (r: EventsRepository) => () => r.dueHeads(NOW, 50, [1, 2]),
      markDelivered: (r: EventsRepository) => (m) => r.markDelivered(m, 1, NOW, NOW),
      markAttemptFailed: (r: EventsRepository) => (m) => r.markAttemptFailed(m, 1, NOW, LATER, 'HTTP 500'),
      after: (r: EventsRepository) => () => r.after(0, NOW, 500),
      byIds: (r: EventsRepository) => () => r.byIds([1, 2]),
      lastId: (r: EventsRepository) => () => r.lastId(),
      page: (r: EventsRepository) => () => r.page('failed', 100, 51),
    },
  },
  {
    type: OutboxRepository,
    file: 'src/outbox/outbox.repository.sql',
    cases: {
      insert: (r: OutboxRepository) => (m, f) => r.insert(m, { type: 'call.updated', callId: f.callId, actorId: f.hostId, occurredAt: NOW, data: { changed: { title: 'x' } } }),
      purgeBatch: (r: OutboxRepository) => (m) => r.purgeBatch(m, LATER, false, 500),
      'purgeBatch: any status': (r: OutboxRepository) => (m) => r.purgeBatch(m, LATER, true, 500),
      idsNaming: (r: OutboxRepository) => (m, f) => r.idsNaming(f.memberId, 0, 500, m),
      deleteEvents: (r: OutboxRepository) => (m) => r.deleteEvents(m, [1, 2]),
    },
  },
  {
    type: UsersRepository,
    file: 'src/auth/users.repository.sql',
    cases: {
      findUser: (r: UsersRepository) => (m, f) => r.findUser(f.memberId, m),
      userExists: (r: UsersRepository) => (_m, f) => r.userExists(f.memberId),
      holderOf: (r: UsersRepository) => (m) => r.holderOf('OTO#SQLF1L', m),
      otoNumbersOf: (r: UsersRepository) => (_m, f) => r.otoNumbersOf([f.hostId, f.memberId]),
      insertUser: (r: UsersRepository) => (m) => r.insertUser(m, Object.assign(new User(), { id: 607, otoNumber: 'OTO#SQLF1L', membershipStage: 'member', role: 'user', firstSeenAt: NOW, lastSeenAt: NOW })),
      updateUser: (r: UsersRepository) => (m, f) => r.updateUser(m, f.memberId, { membershipStage: 'member', role: 'user', lastSeenAt: LATER, otoNumber: 'OTO#SQLF2L' }),
      touchUsers: (r: UsersRepository) => (m, f) => r.touchUsers(m, [f.memberId, f.hostId], LATER),
      deleteUser: (r: UsersRepository) => (m, f) => r.deleteUser(m, f.memberId),
    },
  },
  {
    type: PreferencesRepository,
    file: 'src/preferences/preferences.repository.sql',
    cases: {
      findPreferences: (r: PreferencesRepository) => (m, f) => r.findPreferences(f.memberId, m),
      hasPreferences: (r: PreferencesRepository) => (m, f) => r.hasPreferences(m, f.memberId),
      insertPreferences: (r: PreferencesRepository) => (m) =>
        r.insertPreferences(m, Object.assign(new CallPreference(), { userId: 607, voiceMaskingEnabled: true, videoMaskingEnabled: true, autoMuteOnJoin: false, videoQuality: 'hd', preferredAvatar: null, recordingConsent: false, createdAt: NOW, updatedAt: NOW })),
      updatePreferences: (r: PreferencesRepository) => (m, f) => r.updatePreferences(m, f.memberId, { autoMuteOnJoin: true, updatedAt: LATER }),
      deletePreferences: (r: PreferencesRepository) => (m, f) => r.deletePreferences(m, f.memberId),
    },
  },
  {
    type: JobLeasesRepository,
    file: 'src/jobs/job-leases.repository.sql',
    cases: {
      ensureLease: (r: JobLeasesRepository) => (m) => r.ensureLease(m, 'sql-file-job'),
      takeLease: (r: JobLeasesRepository) => (m) => r.takeLease(m, 'sql-file-job', 'host:1:abcd', NOW, LATER),
      endLease: (r: JobLeasesRepository) => (m) => r.endLease(m, 'sql-file-job', 'host:1:abcd'),
    },
  },
  {
    type: IdempotencyRepository,
    file: 'src/idempotency/idempotency.repository.sql',
    cases: {
      insertClaim: (r: IdempotencyRepository) => (m) => r.insertClaim(m, 601, 'a'.repeat(64), { requestHash: 'b'.repeat(64), claimedBy: 'claim-1', createdAt: NOW, lockedUntil: LATER }),
      findKey: (r: IdempotencyRepository) => (m) => r.findKey(601, 'a'.repeat(64), m),
      takeOver: (r: IdempotencyRepository) => (m) => r.takeOver(m, 1, 'claim-1', { requestHash: 'b'.repeat(64), claimedBy: 'claim-2', createdAt: NOW, lockedUntil: LATER }),
      markCommitted: (r: IdempotencyRepository) => (m) => r.markCommitted(m, 601, 'a'.repeat(64), 'claim-1'),
      complete: (r: IdempotencyRepository) => (m) => r.complete(m, 601, 'a'.repeat(64), 'claim-1', 201, '{"callId":1}'),
      release: (r: IdempotencyRepository) => (m) => r.release(m, 601, 'a'.repeat(64), 'claim-1', false),
      'release:afterCommit': (r: IdempotencyRepository) => (m) => r.release(m, 601, 'a'.repeat(64), 'claim-1', true),
      expiredKeys: (r: IdempotencyRepository) => (m) => r.expiredKeys(m, NOW, 500),
      deleteKeys: (r: IdempotencyRepository) => (m) => r.deleteKeys(m, [1, 2]),
      deleteKeysOf: (r: IdempotencyRepository) => (m, f) => r.deleteKeysOf(m, f.memberId),
    },
  },
];

/** The methods a repository class declares (its own prototype, not Object's). */
function methodsOf(type: abstract new (...args: never[]) => object): string[] {
  return Object.getOwnPropertyNames(type.prototype).filter((name) => name !== 'constructor' && typeof (type.prototype as Record<string, unknown>)[name] === 'function');
}

describe(`repositories (${dialect}): every query, its SQL file, and the hot queries' indexes`, () => {
  const clock = new FakeClock(NOW);
  let t: TestApp;
  let recorder: SqlRecorder;
  let fixture: Fixture;
  /** Each case's statements, by `Class.case`, for the EXPLAIN checks. */
  const sent = new Map<string, Statement[]>();

  beforeAll(async () => {
    t = await startApp({}, undefined, clock);
    const call = await createCall(t.http, 501, { title: 'Repository call', isPublic: true });
    const joined = await join(t.http, call.callId, as.member(502)).expect(200);
    await token(t.http, as.member(502), call.channelName, joined.body.uid as number).expect(200);
    await join(t.http, call.callId, as.member(501)).expect(200);
    const session = await t.dataSource.getRepository(CallSession).findOneByOrFail({ callId: call.callId, userId: 502, open: 1 });
    fixture = { callId: call.callId, channelName: call.channelName, sessionId: session.id, hostId: 501, memberId: 502, uid: joined.body.uid as number };
    // For the erasure's moves (CallsErasureRepository, RecordingsRepository.moveStarter): a ring 501 placed to 502, a
    // lobby decision 501 made, a recording 501 started, so that each UPDATE is sent (and written to the SQL files).
    const direct = await t.http.post('/api/calling/direct').set(as.member(501)).send({ callee: 502, media: 'audio' }).expect(201);
    const door = await createCall(t.http, 501, { title: 'Door', isPublic: true, lobby: true });
    await join(t.http, door.callId, as.member(503)).expect(202);
    await t.http.post(`/api/calling/${door.callId}/lobby/503/admit`).set(as.member(501)).expect(200);
    await t.dataSource.getRepository(Recording).insert({ callId: direct.body.callId, channelName: direct.body.channelName, mode: 'mix', status: 'failed', startedBy: 501, uid: 4294967295, createdAt: NOW, purgeAttempts: 0 });
    if (usingMysql) await seedForPlans();
    recorder = new SqlRecorder();
  }, 120_000);
  afterAll(async () => {
    recorder?.restore();
    await t?.close();
  });

  for (const { type, file, cases } of REPOSITORIES) {
    it(`${type.name}: every method has a case, and ${file} holds the SQL each one sends on ${dialect}`, async () => {
      const covered = new Set(Object.keys(cases).map((name) => name.split(':')[0]));
      expect(methodsOf(type).filter((method) => !covered.has(method))).toEqual([]);

      const repository = t.app.get(type as never) as never;
      const tx = t.app.get(TransactionRunner);
      const now = new Map<string, string>();
      for (const [name, make] of Object.entries(cases)) {
        const run = make(repository);
        const { statements, error } = await recorder.during(() =>
          tx.run(async (manager) => {
            await run(manager, fixture);
            throw new RolledBack();
          }),
        );
        if (!(error instanceof RolledBack)) throw new Error(`${type.name}.${name} failed on ${dialect}: ${(error as Error)?.message}`);
        sent.set(`${type.name}.${name}`, statements);
        now.set(`${type.name}.${name.replace(/ /g, '_')} [${dialect}]`, statements.length === 0 ? '(no statement)' : statements.map((s) => `${forFile(s.sql)};`).join('\n'));
      }

      const path = joinPath(__dirname, '..', file);
      const stored = readSqlFile(path);
      const ours = new Map([...stored].filter(([name]) => name.endsWith(`[${dialect}]`)));
      if (update) {
        const merged = new Map([...stored].filter(([name]) => !name.endsWith(`[${dialect}]`)));
        for (const [name, sql] of now) merged.set(name, sql);
        writeSqlFile(path, type.name, merged);
        return;
      }
      // A changed, new or removed query fails here: run with UPDATE_SQL=1 and review the file's diff.
      expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(now));
    });
  }

  /**
   * MariaDB plans by table statistics: on a handful of rows a full read is cheapest and EXPLAIN
   * says ALL whatever the indexes. Enough past calls and sessions for the plans to be the ones a
   * real database gets (SQLite's planner goes by the indexes alone).
   */
  async function seedForPlans(): Promise<void> {
    const calls = Array.from({ length: 2000 }, (_, i) => ({
      title: `Past call ${i}`,
      description: null,
      channelName: `ikoota_plan_${i}`,
      creatorId: 900 + (i % 50),
      isPublic: i % 2 === 0,
      maxParticipants: 50,
      status: i % 10 === 0 ? ('active' as const) : ('ended' as const),
      activeParticipants: 0,
      peakParticipants: 2,
      createdAt: new Date(NOW.getTime() - (i + 1) * 3_600_000),
      endedAt: i % 10 === 0 ? null : new Date(NOW.getTime() - i * 3_600_000),
      endedBy: i % 10 === 0 ? null : ('host' as const),
      analyticsState: null,
      recordingId: null,
    }));
    for (let i = 0; i < calls.length; i += 500) await t.dataSource.getRepository(Call).insert(calls.slice(i, i + 500));
    const ids: Array<{ id: number }> = await t.dataSource.query("SELECT id FROM calls WHERE channel_name LIKE 'ikoota\\_plan\\_%'");
    const sessions = ids.map(({ id }, i) => {
      const joinedAt = new Date(NOW.getTime() - (i + 1) * 3_600_000);
      return { callId: id, userId: 900 + (i % 50), media: 'video' as const, open: null, joinedAt, leftAt: new Date(joinedAt.getTime() + 600_000), durationSeconds: 600, leaveReason: 'left', lastSeenAt: joinedAt, heartbeatAt: null, agoraJoinedAt: null, tokenExpiresAt: null, lastClientSeq: null };
    });
    for (let i = 0; i < sessions.length; i += 500) await t.dataSource.getRepository(CallSession).insert(sessions.slice(i, i + 500));
    // Members' preferences, read by user id for a group of joins (ParticipationRepository.memberStates).
    const preferences = Array.from({ length: 2000 }, (_, i) => ({ userId: 10_000 + i, createdAt: NOW, updatedAt: NOW }));
    for (let i = 0; i < preferences.length; i += 500) await t.dataSource.getRepository(CallPreference).insert(preferences.slice(i, i + 500));
    await t.dataSource.query('ANALYZE TABLE calls, call_sessions, call_members, call_uid_bindings, users, call_preferences');
  }

  /** The plan of one statement: SQLite's EXPLAIN QUERY PLAN lines, or MariaDB's EXPLAIN rows. */
  async function plan(statement: Statement): Promise<string[]> {
    if (!usingMysql) {
      const rows: Array<{ detail: string }> = await t.dataSource.query(`EXPLAIN QUERY PLAN ${statement.sql}`, statement.parameters);
      return rows.map((row) => row.detail);
    }
    const rows: Array<{ table: string | null; type: string | null; key: string | null }> = await t.dataSource.query(`EXPLAIN ${statement.sql}`, statement.parameters);
    return rows.map((row) => `${row.table} ${row.type} ${row.key}`);
  }

  /** A full read of a table: SQLite's bare `SCAN x` (no index), MariaDB's access type ALL (of a table, not of a subquery it materialized, `<subquery2>`). */
  // The list of member ids a group join asks about (`memberStates`, a derived table `ids`) is read whole by design.
  const fullScan = (line: string): boolean =>
    usingMysql ? / ALL /.test(`${line} `) && !line.startsWith('<') : (/^SCAN \S+$/.test(line) || /^SCAN \S+ \(/.test(line)) && line !== 'SCAN ids';

  const HOT = [
    // join
    'ParticipationRepository.reserveSlot',
    'ParticipationRepository.memberState',
    'ParticipationRepository.insertSession',
    'ParticipationRepository.bindAssignedUid',
    // group joins
    'ParticipationRepository.lockForJoins',
    'ParticipationRepository.memberStates',
    'ParticipationRepository.openSessions',
    // leave
    'ParticipationRepository.openSessionForUpdate',
    'ParticipationRepository.closeSession',
    'ParticipationRepository.releaseSlot',
    'ParticipationRepository.closeSegmentRow',
    // the token request
    'TokensRepository.tokenAdmission: assigned uid',
    'TokensRepository.tokenAdmission: requested uid',
    'TokensRepository.recordToken',
    // the sweep
    'PresenceRepository.unconfirmedSince',
    'PresenceRepository.unconfirmedSince: heartbeats only',
    'PresenceRepository.expiredBy',
    'PresenceRepository.idleCalls',
    // the call schedule (every 5 s)
    'CallScheduleRepository.dueToEnd',
    'CallScheduleRepository.dueForReminder: starting',
    'CallScheduleRepository.dueForReminder: ending',
    // the lobby's knock and decisions (under the call's lock)
    'LobbyRepository.entryOf',
    'LobbyRepository.hostPresent',
    'LobbyRepository.waiting',
    'LobbyRepository.positionOf',
    // a stage's raised hands (polled by its moderators and the dashboard)
    'StageRepository.raisedHands',
    'StageRepository.countRaisedHands',
    // a request with an Idempotency-Key (the claim's read, its answer)
    'IdempotencyRepository.findKey',
    'IdempotencyRepository.complete',
    // the admin list (its first page on MariaDB: test/admin-console.e2e-spec.ts, on a large table)
    'AdminConsoleRepository.adminCalls: a next page',
    'AdminConsoleRepository.adminCalls: every filter',
  ];

  it.each(HOT)('%s reads through an index (EXPLAIN)', async (name) => {
    const statements = sent.get(name);
    expect(statements).toBeDefined();
    for (const statement of statements!.filter((s) => /^\s*(SELECT|UPDATE|DELETE)/i.test(s.sql))) {
      const lines = await plan(statement);
      expect({ sql: oneLine(statement.sql), scans: lines.filter(fullScan) }).toEqual({ sql: oneLine(statement.sql), scans: [] });
    }
  });
});
