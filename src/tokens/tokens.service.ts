import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { RtcRole, RtcTokenBuilder } from 'agora-token';
import { Repository } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { CallMember } from '../calls/entities/call-member.entity';
import { CallSession } from '../calls/entities/call-session.entity';
import { Call } from '../calls/entities/call.entity';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { agoraConfig } from '../config/agora.config';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner.service';
import { CreateTokenDto, RtcTokenDto } from './dto/create-token.dto';
import { UidBinding } from './entities/uid-binding.entity';

const ACCESS_DENIED = 'Access denied to this call';

/**
 * Issues Agora RTC tokens to admitted participants only: the caller must have an open session
 * in the active call that owns the channel and must not have been removed from it. Each uid is
 * bound to one member per call, so nobody can get a token to publish as someone else.
 */
@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);

  constructor(
    @InjectRepository(Call) private readonly calls: Repository<Call>,
    @InjectRepository(CallMember) private readonly members: Repository<CallMember>,
    @InjectRepository(CallSession) private readonly sessions: Repository<CallSession>,
    @InjectRepository(UidBinding) private readonly bindings: Repository<UidBinding>,
    @Inject(agoraConfig.KEY) private readonly agora: ConfigType<typeof agoraConfig>,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async issue(user: AuthUser, dto: CreateTokenDto): Promise<RtcTokenDto> {
    const call = await this.calls.findOne({ where: { channelName: dto.channelName }, select: { id: true, status: true } });
    if (!call || call.status !== 'active') throw new DomainException('CALL_ACCESS_DENIED', ACCESS_DENIED);
    const [member, session] = await Promise.all([
      this.members.findOne({ where: { callId: call.id, userId: user.id }, select: { id: true, removedAt: true } }),
      this.sessions.findOne({ where: { callId: call.id, userId: user.id, open: 1 }, select: { id: true, tokenExpiresAt: true } }),
    ]);
    if (!session || member?.removedAt) throw new DomainException('CALL_ACCESS_DENIED', ACCESS_DENIED);
    await this.bindUid(call.id, dto.uid, user.id);
    const issued = this.build(dto.channelName, dto.uid, dto.role ?? 'publisher');
    await this.recordExpiry(session, new Date(this.clock.now().getTime() + this.agora.tokenTtlSeconds * 1000));
    return issued;
  }

  /**
   * The session may not outlive its newest token (the sweeper closes it then). Written only
   * when the expiry moves by more than a minute, so renewals in a burst cost one write.
   */
  private async recordExpiry(session: Pick<CallSession, 'id' | 'tokenExpiresAt'>, expiresAt: Date): Promise<void> {
    if (session.tokenExpiresAt && session.tokenExpiresAt.getTime() >= expiresAt.getTime() - 60_000) return;
    await this.tx.run((manager) => manager.update(CallSession, { id: session.id, open: 1 }, { tokenExpiresAt: expiresAt }));
  }

  /** Binds the uid to the member in this call on first use; another member asking for it gets 409. */
  private async bindUid(callId: number, uid: number, userId: number): Promise<void> {
    const existing = await this.bindings.findOne({ where: { callId, uid }, select: { userId: true } });
    if (existing) {
      if (existing.userId !== userId) throw new DomainException('UID_TAKEN', 'This uid is already in use by another participant of this call');
      return;
    }
    try {
      await this.tx.run((manager) => manager.insert(UidBinding, { callId, uid, userId, createdAt: this.clock.now() }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.bindings.findOne({ where: { callId, uid }, select: { userId: true } });
      if (winner?.userId !== userId) throw new DomainException('UID_TAKEN', 'This uid is already in use by another participant of this call');
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
