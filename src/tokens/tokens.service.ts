import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { RtcRole, RtcTokenBuilder } from 'agora-token';
import { DataSource, Repository } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { isSameChannel } from '../calls/channel-name';
import { CallSession } from '../calls/entities/call-session.entity';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { agoraConfig } from '../config/agora.config';
import { isUniqueViolation } from '../database/db-errors';
import { toDate } from '../database/raw-values';
import { TransactionRunner } from '../database/transaction-runner.service';
import { CreateTokenDto, RtcTokenDto } from './dto/create-token.dto';
import { UidBinding } from './entities/uid-binding.entity';

const ACCESS_DENIED = 'Access denied to this call';
const UID_TAKEN = 'This uid is already in use by another participant of this call';

const ADMISSION_SQL = `
  SELECT c.id AS call_id, c.channel_name AS channel_name, c.status AS status, s.id AS session_id, s.token_expires_at AS token_expires_at,
         m.removed_at AS removed_at, b.user_id AS bound_user_id
  FROM calls c
  LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1
  LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ?
  LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.uid = ?
  WHERE c.channel_name = ?`;

interface AdmissionRow {
  call_id: number | string;
  channel_name: string;
  status: string;
  session_id: number | string | null;
  token_expires_at: Date | string | null;
  removed_at: Date | string | null;
  bound_user_id: number | string | null;
}

interface Admission {
  callId: number;
  status: string;
  sessionId: number | null;
  tokenExpiresAt: Date | null;
  removed: boolean;
  boundUserId: number | null;
}

/**
 * Issues Agora RTC tokens to admitted participants only: the caller must have an open session
 * in the active call that owns the channel and must not have been removed from it. Each uid is
 * bound to one member per call, so nobody can get a token to publish as someone else.
 */
@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(UidBinding) private readonly bindings: Repository<UidBinding>,
    @Inject(agoraConfig.KEY) private readonly agora: ConfigType<typeof agoraConfig>,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async issue(user: AuthUser, dto: CreateTokenDto): Promise<RtcTokenDto> {
    const admission = await this.admission(dto.channelName, user.id, dto.uid);
    if (!admission || admission.status !== 'active' || admission.sessionId === null || admission.removed) {
      throw new DomainException('CALL_ACCESS_DENIED', ACCESS_DENIED);
    }
    if (admission.boundUserId === null) await this.bindUid(admission.callId, dto.uid, user.id);
    else if (admission.boundUserId !== user.id) throw new DomainException('UID_TAKEN', UID_TAKEN);
    const issued = this.build(dto.channelName, dto.uid, dto.role ?? 'publisher');
    await this.recordExpiry(admission, new Date(this.clock.now().getTime() + this.agora.tokenTtlSeconds * 1000));
    return issued;
  }

  /**
   * Everything admission needs, fresh from the database in one indexed round trip (so a leave,
   * removal or end on any instance refuses the very next token): the call behind the channel,
   * the member's open session, whether they were removed, and who holds the uid in that call.
   */
  private async admission(channelName: string, userId: number, uid: number): Promise<Admission | undefined> {
    const rows: AdmissionRow[] = await this.dataSource.query(ADMISSION_SQL, [userId, userId, uid, channelName]);
    const row = rows[0];
    // MariaDB's collation matches `CALL_…` and trailing spaces too; Agora does not.
    if (!row || !isSameChannel(row.channel_name, channelName)) return undefined;
    return {
      callId: Number(row.call_id),
      status: row.status,
      sessionId: row.session_id === null ? null : Number(row.session_id),
      tokenExpiresAt: toDate(row.token_expires_at),
      removed: row.removed_at !== null,
      boundUserId: row.bound_user_id === null ? null : Number(row.bound_user_id),
    };
  }

  /**
   * The session may not outlive its newest token (the sweeper closes it then). Written only
   * when the expiry moves by more than a minute, so renewals in a burst cost one write.
   */
  private async recordExpiry(admission: Pick<Admission, 'sessionId' | 'tokenExpiresAt'>, expiresAt: Date): Promise<void> {
    if (admission.tokenExpiresAt && admission.tokenExpiresAt.getTime() >= expiresAt.getTime() - 60_000) return;
    await this.tx.run((manager) => manager.update(CallSession, { id: admission.sessionId!, open: 1 }, { tokenExpiresAt: expiresAt }));
  }

  /** Binds the uid to the member in this call on first use; another member asking for it gets 409. */
  private async bindUid(callId: number, uid: number, userId: number): Promise<void> {
    try {
      await this.tx.run((manager) => manager.insert(UidBinding, { callId, uid, userId, createdAt: this.clock.now() }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.bindings.findOne({ where: { callId, uid }, select: { userId: true } });
      if (winner?.userId !== userId) throw new DomainException('UID_TAKEN', UID_TAKEN);
    }
  }

  private build(channelName: string, uid: number, role: 'publisher' | 'subscriber'): RtcTokenDto {
    const ttl = this.agora.tokenTtlSeconds;
    // Real time, not the service clock: agora-token stamps the token with it, and Agora checks it.
    const issuedAt = Math.floor(Date.now() / 1000);
    let token: string;
    try {
      // Both expiries are RELATIVE seconds from now (AccessToken2).
      token = RtcTokenBuilder.buildTokenWithUid(
        this.agora.appId,
        this.agora.appCertificate,
        channelName,
        uid,
        role === 'publisher' ? RtcRole.PUBLISHER : RtcRole.SUBSCRIBER,
        ttl,
        ttl,
      );
    } catch (error) {
      this.logger.error({ msg: 'Agora token generation failed', channelName, err: (error as Error).message });
      throw new DomainException('TOKEN_GENERATION_FAILED', 'Token generation failed');
    }
    if (!token) {
      this.logger.error({ msg: 'Agora token generation returned nothing', channelName });
      throw new DomainException('TOKEN_GENERATION_FAILED', 'Token generation failed');
    }
    return { token, appId: this.agora.appId, channelName, uid, expiresAt: issuedAt + ttl };
  }
}
