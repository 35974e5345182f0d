import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { CallMediaSegment } from '../calls/entities/call-media-segment.entity';
import type { CallMember, CallRole } from '../calls/entities/call-member.entity';
import type { CallSession } from '../calls/entities/call-session.entity';
import type { Call, CallStatus } from '../calls/entities/call.entity';
import { LIVE } from '../calls/call-fields';
import { RawDate, RawId, toDate, toInt } from '../database/raw-values';

/** What the admin call list is filtered by (see `adminCalls`). */
export interface AdminCallsFilter {
  status?: CallStatus;
  /** created_at range: from inclusive, to exclusive. */
  from?: Date;
  to?: Date;
  titleLike?: string;
  userId?: number;
  /** The keyset cursor: the last call of the previous page. */
  before?: { createdAt: Date; id: number };
  limit: number;
}

export interface AdminCallRow {
  call: Call;
  creatorOtoNumber: string | null;
}

/** What the sessions export is filtered by (see `sessionsForExport`). */
export interface SessionsExportFilter {
  /** joined_at range: from inclusive, to exclusive. */
  from?: Date;
  to?: Date;
  callId?: number;
  /** The retention cutoff: sessions of calls that ended before it are outside the window. */
  retainedSince: Date;
}

/** A row of `exportBatchQuery`, as the drivers give it. */
interface ExportRow {
  id: RawId;
  call_id: RawId;
  oto_number: string | null;
  role: CallRole | null;
  joined_at: RawDate;
  left_at: RawDate;
  duration_seconds: RawId | null;
  leave_reason: string | null;
  retained: RawId;
}

/** One batch of the sessions export (see `sessionsForExport`). */
export interface ExportBatch {
  sessions: ExportedSession[];
  /** The batch's last session, retained or not: the keyset cursor for the next batch. */
  last: { joinedAt: Date; id: number } | null;
  full: boolean;
}

export interface ExportedSession {
  id: number;
  callId: number;
  otoNumber: string | null;
  role: CallRole | null;
  joinedAt: Date;
  leftAt: Date | null;
  durationSeconds: number | null;
  leaveReason: string | null;
}

/** A LIKE pattern matching `text` anywhere, with `!` escaping the pattern characters (`ESCAPE '!'`). */
export function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (char) => `!${char}`)}%`;
}

// The tables the console reads, named as SQL names them (their entities belong to calls and auth).
const CALLS = 'calls';
const SESSIONS = 'call_sessions';
const SEGMENTS = 'call_media_segments';
const MEMBERS = 'call_members';
const USERS = 'users';


/**
 * The admin console's SQL, read-only views over every call: the keyset-paged call list, what is
 * live now, the sessions export, and one call's details.
 */
@Injectable()
export class AdminConsoleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // ---- the call list

  /**
   * A page of calls, newest first (created_at DESC, id DESC), after the keyset cursor: walks
   * (created_at, id), or (status, created_at) with a status, so a page costs its own rows.
   * `userId`: only calls the member had a session in (through sessions' (user_id, call_id)).
   * `titleLike`: a LIKE pattern with `!` as its escape character (see `likePattern`).
   */
  async adminCalls(filter: AdminCallsFilter): Promise<AdminCallRow[]> {
    const { entities, raw } = await this.adminCallsQuery(filter).getRawAndEntities<{ creator_oto_number: string | null }>();
    return entities.map((call, index) => ({ call, creatorOtoNumber: raw[index].creator_oto_number ?? null }));
  }

  /** The query behind `adminCalls` (its test EXPLAINs it on MariaDB). */
  adminCallsQuery(filter: AdminCallsFilter): SelectQueryBuilder<Call> {
    const query = this.dataSource
      .getRepository<Call>(CALLS)
      .createQueryBuilder('call')
      .leftJoin(USERS, 'creator', 'creator.id = call.creator_id')
      .addSelect('creator.oto_number', 'creator_oto_number')
      .orderBy('call.created_at', 'DESC')
      .addOrderBy('call.id', 'DESC')
      .limit(filter.limit);
    if (filter.status) query.andWhere('call.status = :status', { status: filter.status });
    if (filter.from) query.andWhere('call.created_at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('call.created_at < :to', { to: filter.to });
    if (filter.titleLike !== undefined) query.andWhere("call.title LIKE :title ESCAPE '!'", { title: filter.titleLike });
    if (filter.userId !== undefined) query.andWhere('call.id IN (SELECT s.call_id FROM call_sessions s WHERE s.user_id = :userId)', { userId: filter.userId });
    if (filter.before) {
      // The first condition is a plain range on the index; the second breaks ties on the id.
      query
        .andWhere('call.created_at <= :beforeAt', { beforeAt: filter.before.createdAt })
        .andWhere('(call.created_at < :beforeAt OR call.id < :beforeId)', { beforeId: filter.before.id });
    }
    return query;
  }

  // ---- what is live now

  /** The live calls with the most members in them now (most first, then newest). */
  busiestLiveCalls(limit: number, manager: EntityManager = this.dataSource.manager): Promise<Call[]> {
    return manager
      .getRepository<Call>(CALLS)
      .createQueryBuilder('call')
      .where(`call.status ${LIVE}`)
      .orderBy('call.active_participants', 'DESC')
      .addOrderBy('call.created_at', 'DESC')
      .addOrderBy('call.id', 'DESC')
      .limit(limit)
      .getMany();
  }

  /** Sessions opened at or after `since` (every 2xx first join opens one: the joins). */
  sessionsJoinedSince(since: Date, manager: EntityManager = this.dataSource.manager): Promise<number> {
    return manager.getRepository<CallSession>(SESSIONS).createQueryBuilder('s').where('s.joined_at >= :since', { since }).getCount();
  }

  /**
   * Sessions whose newest token expires after `expiresAfter`: with the token lifetime
   * subtracted, those issued a token since then. A session counts once however many tokens it
   * renewed (the token path stores only the newest expiry, and a renewal within
   * `TOKEN_EXPIRY_LAG_MS` of it not even that).
   */
  sessionsWithTokenExpiringAfter(expiresAfter: Date, manager: EntityManager = this.dataSource.manager): Promise<number> {
    return manager.getRepository<CallSession>(SESSIONS).createQueryBuilder('s').where('s.token_expires_at > :expiresAfter', { expiresAfter }).getCount();
  }

  // ---- the sessions export

  /**
   * One batch of participation sessions for the CSV export: the next `limit` sessions joined in
   * [from, to) in (joined_at, id) order after the keyset cursor, with the member's OTO# number
   * and role. The batch is picked first on its own (a derived table with its LIMIT, walking the
   * joined_at index), and only its rows are joined to calls, users and members: joined directly,
   * MariaDB would rather scan the calls and sort every session per batch.
   *
   * `sessions` keeps only those still inside the retention window (calls not ended, or ended at
   * or after `retainedSince`: what the retention job has not deleted, or not yet); `last` is the
   * batch's last row either way, the cursor for the next one, and `full` whether there may be more.
   */
  async sessionsForExport(filter: SessionsExportFilter, after: { joinedAt: Date; id: number } | null, limit: number): Promise<ExportBatch> {
    const rows: ExportRow[] = await this.exportBatchQuery(filter, after, limit).getRawMany();
    const sessions = rows.map((row) => ({
      id: toInt(row.id)!,
      callId: toInt(row.call_id)!,
      otoNumber: row.oto_number,
      role: row.role,
      joinedAt: toDate(row.joined_at)!,
      leftAt: toDate(row.left_at),
      durationSeconds: toInt(row.duration_seconds),
      leaveReason: row.leave_reason,
      retained: toInt(row.retained) === 1,
    }));
    const last = sessions[sessions.length - 1];
    return {
      sessions: sessions.filter((session) => session.retained).map(({ retained: _retained, ...session }) => session),
      last: last ? { joinedAt: last.joinedAt, id: last.id } : null,
      full: rows.length === limit,
    };
  }

  /** The query behind one `sessionsForExport` batch (its test EXPLAINs it on MariaDB). */
  exportBatchQuery(filter: SessionsExportFilter, after: { joinedAt: Date; id: number } | null, limit: number): SelectQueryBuilder<ObjectLiteral> {
    return this.dataSource
      .createQueryBuilder()
      .select(['b.id AS id', 'b.call_id AS call_id', 'u.oto_number AS oto_number', 'm.role AS role', 'b.joined_at AS joined_at', 'b.left_at AS left_at'])
      .addSelect(['b.duration_seconds AS duration_seconds', 'b.leave_reason AS leave_reason'])
      .addSelect('CASE WHEN c.ended_at IS NULL OR c.ended_at >= :retainedSince THEN 1 ELSE 0 END', 'retained')
      .from((batch) => {
        batch
          .select(['s.id AS id', 's.call_id AS call_id', 's.user_id AS user_id', 's.joined_at AS joined_at', 's.left_at AS left_at', 's.duration_seconds AS duration_seconds', 's.leave_reason AS leave_reason'])
          .from(SESSIONS, 's')
          .orderBy('s.joined_at', 'ASC')
          .addOrderBy('s.id', 'ASC')
          .limit(limit);
        if (filter.from) batch.andWhere('s.joined_at >= :from', { from: filter.from });
        if (filter.to) batch.andWhere('s.joined_at < :to', { to: filter.to });
        if (filter.callId !== undefined) batch.andWhere('s.call_id = :callId', { callId: filter.callId });
        if (after) batch.andWhere('s.joined_at >= :afterAt', { afterAt: after.joinedAt }).andWhere('(s.joined_at > :afterAt OR s.id > :afterId)', { afterId: after.id });
        return batch;
      }, 'b')
      .leftJoin(CALLS, 'c', 'c.id = b.call_id')
      .leftJoin(USERS, 'u', 'u.id = b.user_id')
      .leftJoin(MEMBERS, 'm', 'm.call_id = b.call_id AND m.user_id = b.user_id')
      .setParameter('retainedSince', filter.retainedSince)
      .orderBy('b.joined_at', 'ASC')
      .addOrderBy('b.id', 'ASC');
  }

  /** The media segments of these sessions (open ones with `endedAt` null). */
  async segmentsOfSessions(sessionIds: number[]): Promise<Array<Pick<CallMediaSegment, 'sessionId' | 'media' | 'startedAt' | 'endedAt'>>> {
    if (sessionIds.length === 0) return [];
    return this.dataSource
      .getRepository<CallMediaSegment>(SEGMENTS)
      .find({ where: { sessionId: In(sessionIds) }, select: { sessionId: true, media: true, startedAt: true, endedAt: true } });
  }

  // ---- one call's details

  /** Every session of a call, open or closed, earliest first. */
  sessionsOf(callId: number): Promise<CallSession[]> {
    return this.dataSource.getRepository<CallSession>(SESSIONS).find({ where: { callId }, order: { joinedAt: 'ASC', id: 'ASC' } });
  }

  segmentsOf(callId: number): Promise<Array<Pick<CallMediaSegment, 'media' | 'startedAt' | 'endedAt'>>> {
    return this.dataSource.getRepository<CallMediaSegment>(SEGMENTS).find({ where: { callId }, select: { media: true, startedAt: true, endedAt: true } });
  }

  /** The whole call row. */
  findCall(callId: number): Promise<Call | null> {
    return this.dataSource.getRepository<Call>(CALLS).findOne({ where: { id: callId } });
  }

  /** Every member's role in a call, removed or not, and whether they may speak on a stage. */
  async rolesIn(callId: number): Promise<Map<number, { role: CallRole; speaker: boolean }>> {
    const members = await this.dataSource.getRepository<CallMember>(MEMBERS).find({ where: { callId }, select: { userId: true, role: true, speakerAt: true } });
    return new Map(members.map((m) => [m.userId, { role: m.role, speaker: m.speakerAt !== null }]));
  }
}
