import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import { Recording, RecordingFile, RecordingStatus } from './entities/recording.entity';
import { KeysetCursor } from '../common/keyset-cursor';
import type { Call } from '../calls/entities/call.entity';
import { RawId, toInt } from '../database/raw-values';

const CALLS = 'calls';

/** States a recording can no longer leave (retention applies from `stopped_at`). */
export const FINISHED: RecordingStatus[] = ['stopped', 'failed'];

/**
 * The recordings feature's SQL: `call_recordings` (its table), the call's pointer at its running
 * recording (`calls.recording_id`), and who in a call may be recorded. Writes take the caller's
 * transaction.
 */
@Injectable()
export class RecordingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertStarting(manager: EntityManager, fields: Pick<Recording, 'callId' | 'channelName' | 'mode' | 'startedBy' | 'uid' | 'createdAt'>): Promise<Recording> {
    const row = manager.create(Recording, {
      ...fields,
      status: 'starting',
      resourceId: null,
      sid: null,
      subscribedUids: null,
      files: null,
      failure: null,
      startedAt: null,
      stoppedAt: null,
      purgeAttempts: 0,
    });
    await manager.insert(Recording, row);
    return row;
  }

  findInCall(manager: EntityManager, callId: number, id: number): Promise<Recording | null> {
    return manager.findOne(Recording, { where: { id, callId } });
  }

  find(id: number, manager: EntityManager = this.dataSource.manager): Promise<Recording | null> {
    return manager.findOne(Recording, { where: { id } });
  }

  findBySid(manager: EntityManager, sid: string): Promise<Recording | null> {
    return manager.findOne(Recording, { where: { sid } });
  }

  ofCall(callId: number): Promise<Recording[]> {
    return this.dataSource.getRepository(Recording).find({ where: { callId }, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  /** Moves a recording from one of `from` to `to` with the given fields: false when it was not in `from` (someone else moved it). */
  async transition(manager: EntityManager, id: number, from: RecordingStatus[], to: RecordingStatus, fields: Partial<Recording> = {}): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Recording)
      .set({ ...fields, status: to })
      .where('id = :id AND status IN (:...from)', { id, from })
      .execute();
    return result.affected === 1;
  }

  /** Forgets a recording that never started (Agora refused it): nothing of it is kept. */
  async deleteStarting(manager: EntityManager, id: number): Promise<void> {
    await manager.createQueryBuilder().delete().from(Recording).where("id = :id AND status = 'starting'", { id }).execute();
  }

  /**
   * The recordings the member started name another id (an erased member's anonymous id). No index
   * on `started_by`: found by a plain read, changed by primary key (locking those rows only).
   */
  async moveStarter(manager: EntityManager, userId: number, anonymousId: number): Promise<number> {
    const ids = (await manager.find(Recording, { where: { startedBy: userId }, select: { id: true } })).map((row) => row.id);
    if (ids.length === 0) return 0;
    return (await manager.update(Recording, { id: In(ids), startedBy: userId }, { startedBy: anonymousId })).affected ?? 0;
  }

  /** Stores the subscribe list Agora accepted, while the recording runs. */
  async setSubscribed(manager: EntityManager, id: number, uids: number[]): Promise<void> {
    await manager.update(Recording, { id, status: 'recording' }, { subscribedUids: JSON.stringify(uids) });
  }

  /** Recordings in a state, oldest first; `before`: only those created (starting) or asked to stop (stopping) before it. */
  inState(status: RecordingStatus, limit: number, afterId = 0, before?: Date): Promise<Recording[]> {
    const query = this.dataSource.getRepository(Recording).createQueryBuilder('r').where('r.status = :status AND r.id > :afterId', { status, afterId });
    if (before) query.andWhere(status === 'starting' ? 'r.created_at < :before' : 'r.stopped_at < :before', { before });
    return query.orderBy('r.id', 'ASC').take(limit).getMany();
  }

  /** Finished recordings that stopped before the cutoff, after `afterId`, by id. */
  expired(cutoff: Date, afterId: number, limit: number): Promise<Recording[]> {
    return this.dataSource
      .getRepository(Recording)
      .createQueryBuilder('r')
      .where('r.status IN (:...finished) AND r.stopped_at < :cutoff AND r.id > :afterId', { finished: FINISHED, cutoff, afterId })
      .orderBy('r.id', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Deletes finished recordings (their files are gone). Counts what went. */
  async deleteFinished(manager: EntityManager, ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await manager.createQueryBuilder().delete().from(Recording).where('id IN (:...ids) AND status IN (:...finished)', { ids, finished: FINISHED }).execute();
    return result.affected ?? 0;
  }

  async notePurgeFailed(manager: EntityManager, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.createQueryBuilder().update(Recording).set({ purgeAttempts: () => 'purge_attempts + 1' }).where({ id: In(ids) }).execute();
  }

  /** One page of every call's recordings created in [from, to), newest first, after the cursor. */
  page(from: Date | undefined, to: Date | undefined, after: KeysetCursor | undefined, limit: number): Promise<Recording[]> {
    const query = this.dataSource.getRepository(Recording).createQueryBuilder('r');
    if (from) query.andWhere('r.created_at >= :from', { from });
    if (to) query.andWhere('r.created_at < :to', { to });
    if (after) {
      query.andWhere(
        new Brackets((q) => q.where('r.created_at < :afterAt', { afterAt: after.createdAt }).orWhere('(r.created_at = :afterAt AND r.id < :afterId)', { afterAt: after.createdAt, afterId: after.id })),
      );
    }
    return query.orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'DESC').take(limit).getMany();
  }

  // ---- the call's side: its running recording (`calls.recording_id`) and who may be recorded

  /**
   * Points the call at a new recording unless one is running or the call has ended: one
   * conditional UPDATE, which takes (or, under `lockedCall`, keeps) the call's row lock, so two
   * starts on any number of instances cannot both win. False when nothing changed (the caller
   * notes the lock it took: ParticipationService.noteLocked).
   */
  async claimRecording(manager: EntityManager, callId: number, recordingId: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update<Call>(CALLS)
      .set({ recordingId })
      .where("id = :callId AND recording_id IS NULL AND status <> 'ended'", { callId })
      .execute();
    return result.affected === 1;
  }

  /** Frees the call for another recording, if it still points at this one. */
  async releaseRecording(manager: EntityManager, callId: number, recordingId: number): Promise<void> {
    await manager.createQueryBuilder().update<Call>(CALLS).set({ recordingId: null }).where('id = :callId AND recording_id = :recordingId', { callId, recordingId }).execute();
  }

  /**
   * The uids a recording of the call may subscribe to: every uid bound to a member who is in the
   * call now (an open session) and has consented to recording, ascending. The service's own uids
   * never appear (no member can hold one).
   */
  async consentingUids(callId: number, manager: EntityManager = this.dataSource.manager): Promise<number[]> {
    const rows: Array<{ uid: RawId }> = await manager.query(
      `SELECT DISTINCT b.uid AS uid
       FROM call_sessions s
       JOIN call_preferences p ON p.user_id = s.user_id AND p.recording_consent = 1
       JOIN call_uid_bindings b ON b.call_id = s.call_id AND b.user_id = s.user_id
       WHERE s.call_id = ? AND s.open = 1
       ORDER BY b.uid`,
      [callId],
    );
    return rows.map((row) => toInt(row.uid)!);
  }

  /** The running recordings of the calls a member is in now (an open session). */
  async runningRecordingsOf(userId: number): Promise<Array<{ callId: number; recordingId: number }>> {
    const rows: Array<{ call_id: RawId; recording_id: RawId }> = await this.dataSource.query(
      `SELECT c.id AS call_id, c.recording_id AS recording_id FROM call_sessions s JOIN calls c ON c.id = s.call_id
       WHERE s.user_id = ? AND s.open = 1 AND c.recording_id IS NOT NULL`,
      [userId],
    );
    return rows.map((row) => ({ callId: toInt(row.call_id)!, recordingId: toInt(row.recording_id)! }));
  }

  /** The calls' channel, status and running recording, by id (for the recording jobs). */
  async recordingStateOf(callId: number, manager: EntityManager = this.dataSource.manager): Promise<Pick<Call, 'id' | 'status' | 'recordingId' | 'channelName'> | null> {
    return manager.findOne<Call>(CALLS, { where: { id: callId }, select: { id: true, status: true, recordingId: true, channelName: true } });
  }
}

/** The files stored on a row. */
export function filesOfRow(row: Pick<Recording, 'files'>): RecordingFile[] {
  if (!row.files) return [];
  try {
    const parsed = JSON.parse(row.files) as unknown;
    return Array.isArray(parsed) ? (parsed as RecordingFile[]) : [];
  } catch {
    return [];
  }
}

/** The subscribe list stored on a row (null before Agora accepted one). */
export function subscribedOf(row: Pick<Recording, 'subscribedUids'>): number[] | null {
  if (!row.subscribedUids) return null;
  try {
    const parsed = JSON.parse(row.subscribedUids) as unknown;
    return Array.isArray(parsed) ? (parsed as number[]) : null;
  } catch {
    return null;
  }
}

