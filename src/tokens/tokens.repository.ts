import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CallSession } from '../calls/entities/call-session.entity';
import type { CallRole } from '../calls/entities/call-member.entity';
import type { CallMode, CallStatus, MediaEncryptionMode } from '../calls/entities/call.entity';
import { OPEN } from '../calls/call-fields';
import { isSameChannel } from '../calls/channel-name';
import { RawDate, RawId, toBool, toDate, toInt } from '../database/raw-values';

/** What a token request needs to know, read in one round trip (see `tokenAdmission`). */
export interface TokenAdmission {
  callId: number;
  channelName: string;
  status: CallStatus;
  isPublic: boolean;
  sessionId: number | null;
  tokenExpiresAt: Date | null;
  member: { removed: boolean; role: CallRole } | null;
  /** The call's lobby settings: the admission rule keeps whoever waits in the lobby out. */
  lobby: boolean;
  waitForHost: boolean;
  /** The caller's mute flags in the call, and whether they stopped being a stage speaker (their member row; false without one). */
  muted: { audio: boolean; video: boolean; demoted: boolean };
  /** `conference` or `stage`. */
  mode: CallMode;
  /** On a stage, whether the caller is a speaker (`speaker_at` set). */
  speaker: boolean;
  /** With a uid in the request, who that uid is bound to; without, the caller (when they have an assigned uid). */
  boundUserId: number | null;
  /** The uid the token is for: the requested one, or the caller's assigned uid (null when none yet). */
  uid: number | null;
  // The call's schedule (issue 24), null when unset, and the caller's role in it (null: no row, or removed).
  startsAt: Date | null;
  endsAt: Date | null;
  role: CallRole | null;
  /** The call's media encryption (issue 26), and its sealed key row (the mode it was minted for, and the sealed value), read in the same round trip. */
  encryption: MediaEncryptionMode;
  sealedKey: { mode: MediaEncryptionMode; sealed: string } | null;
}

/** The token request's one round trip; the uid binding joined is the requested uid's, or the caller's assigned one. */
const tokenAdmissionSql = (byUid: boolean): string => `
  SELECT c.id AS call_id, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, s.id AS session_id,
         s.token_expires_at AS token_expires_at, m.role AS role, m.removed_at AS removed_at, m.audio_muted_at AS audio_muted_at,
         m.video_muted_at AS video_muted_at, b.user_id AS bound_user_id, b.uid AS bound_uid, c.starts_at AS starts_at, c.ends_at AS ends_at,
         c.lobby AS lobby, c.wait_for_host AS wait_for_host, c.mode AS mode, m.speaker_at AS speaker_at, m.demoted_at AS demoted_at,
         c.encryption AS encryption, k.mode AS key_mode, k.sealed AS key_sealed
  FROM calls c
  LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1
  LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ?
  LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND ${byUid ? 'b.uid = ?' : 'b.user_id = ? AND b.assigned = 1'}
  LEFT JOIN call_media_keys k ON k.call_id = c.id
  WHERE c.channel_name = ?`;
const TOKEN_ADMISSION_BY_UID_SQL = tokenAdmissionSql(true);
const TOKEN_ADMISSION_ASSIGNED_SQL = tokenAdmissionSql(false);

const SESSIONS = 'call_sessions';


/**
 * The token request's SQL: its admission read (one indexed round trip) and the session's newest
 * token expiry. Binding a uid is the calls feature's (AssignedUids).
 */
@Injectable()
export class TokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Everything a token request is admitted on, fresh from the database in one indexed round trip.
   * With a `uid`, who that uid is bound to in the call; without, the caller's assigned uid.
   */
  async tokenAdmission(channelName: string, userId: number, uid: number | undefined): Promise<TokenAdmission | null> {
    const rows: Array<{
      call_id: RawId;
      channel_name: string;
      status: CallStatus;
      is_public: number | boolean;
      session_id: RawId | null;
      token_expires_at: RawDate;
      role: CallRole | null;
      removed_at: RawDate;
      audio_muted_at: RawDate;
      video_muted_at: RawDate;
      bound_user_id: RawId | null;
      bound_uid: RawId | null;
      starts_at: RawDate;
      ends_at: RawDate;
      lobby: number | boolean;
      wait_for_host: number | boolean;
      mode: CallMode;
      speaker_at: RawDate;
      demoted_at: RawDate;
      encryption: MediaEncryptionMode;
      key_mode: MediaEncryptionMode | null;
      key_sealed: string | null;
    }> =
      uid === undefined
        ? await this.dataSource.query(TOKEN_ADMISSION_ASSIGNED_SQL, [userId, userId, userId, channelName])
        : await this.dataSource.query(TOKEN_ADMISSION_BY_UID_SQL, [userId, userId, uid, channelName]);
    const row = rows[0];
    if (!row || !isSameChannel(row.channel_name, channelName)) return null;
    return {
      callId: toInt(row.call_id)!,
      channelName: row.channel_name,
      status: row.status,
      isPublic: toBool(row.is_public),
      sessionId: toInt(row.session_id),
      tokenExpiresAt: toDate(row.token_expires_at),
      member: row.role === null ? null : { removed: row.removed_at !== null, role: row.role },
      lobby: toBool(row.lobby),
      waitForHost: toBool(row.wait_for_host),
      muted: { audio: row.audio_muted_at !== null, video: row.video_muted_at !== null, demoted: row.demoted_at !== null && row.speaker_at === null },
      mode: row.mode,
      speaker: row.speaker_at !== null,
      boundUserId: toInt(row.bound_user_id),
      uid: uid ?? toInt(row.bound_uid),
      startsAt: toDate(row.starts_at),
      endsAt: toDate(row.ends_at),
      role: row.role !== null && row.removed_at === null ? row.role : null,
      encryption: row.encryption,
      sealedKey: row.key_mode !== null && row.key_sealed !== null ? { mode: row.key_mode, sealed: row.key_sealed } : null,
    };
  }

  /**
   * A token was issued for the session: its expiry, when later than the one recorded (two
   * requests at once never move it back), and evidence that the member is there.
   */
  async recordToken(manager: EntityManager, sessionId: number, expiresAt: Date, at: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update<CallSession>(SESSIONS)
      .set({ tokenExpiresAt: expiresAt, lastSeenAt: at })
      .where('id = :id AND open = :open AND (token_expires_at IS NULL OR token_expires_at < :expiresAt)', { id: sessionId, open: OPEN, expiresAt })
      .execute();
  }
}
