import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { RtcRole, RtcTokenBuilder } from 'agora-token';
import { Repository } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { admissionRefusal } from '../calls/admission';
import { AssignedUids } from '../calls/assigned-uids.service';
import { CallsRepository, TokenAdmission } from '../calls/calls.repository';
import { TOKEN_EXPIRY_LAG_MS } from '../calls/entities/call-session.entity';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { agoraConfig } from '../config/agora.config';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner.service';
import { CreateTokenDto, RtcTokenDto } from './dto/create-token.dto';
import { UidBinding } from './entities/uid-binding.entity';
import { tokensIssued } from '../metrics/counters';

const ACCESS_DENIED = 'Access denied to this call';
const UID_TAKEN = 'This uid is already in use by another participant of this call';

/**
 * Issues Agora RTC tokens to admitted participants only: the caller must have an open session
 * in the call that owns the channel and pass the one admission rule (`admissionRefusal`: not
 * ended, not removed; a paused call lets those in renew). Each uid is bound to one member per
 * call, so nobody can get a token to publish as someone else; without a uid in the request the
 * token is for the uid the service assigned the caller at join.
 */
@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);

  constructor(
    private readonly repository: CallsRepository,
    @InjectRepository(UidBinding) private readonly bindings: Repository<UidBinding>,
    @Inject(agoraConfig.KEY) private readonly agora: ConfigType<typeof agoraConfig>,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly assigned: AssignedUids,
  ) {}

  async issue(user: AuthUser, dto: CreateTokenDto): Promise<RtcTokenDto> {
    // Fresh from the database in one round trip, so a leave, removal or end on any instance
    // refuses the very next token.
    const admission = await this.repository.tokenAdmission(dto.channelName, user.id, dto.uid);
    // Access first, whatever the body says about the uid: the one admission rule (a paused call
    // keeps those in), and a token is only for someone in the call.
    const refused = !admission || admissionRefusal({ ...admission, inCall: admission.sessionId !== null }, user) !== null;
    if (!admission || refused || admission.sessionId === null) throw new DomainException('CALL_ACCESS_DENIED', ACCESS_DENIED);
    // Without a uid the token is for the caller's assigned uid (every join assigns one; a session
    // opened before uids were assigned gets one now).
    const uid = dto.uid ?? admission.uid ?? (await this.tx.run((manager) => this.assigned.ensure(manager, admission.callId, user.id, this.clock.now())));
    if (dto.uid !== undefined) {
      if (admission.boundUserId === null) await this.bindUid(admission.callId, dto.uid, user.id);
      else if (admission.boundUserId !== user.id) throw new DomainException('UID_TAKEN', UID_TAKEN);
    }
    const issued = this.build(dto.channelName, uid, dto.role ?? 'publisher');
    const now = this.clock.now();
    await this.recordToken(admission, new Date(now.getTime() + this.agora.tokenTtlSeconds * 1000), now);
    tokensIssued.inc();
    return issued;
  }

  /**
   * A token request is evidence that the member is there: the session's last-seen time moves
   * with its newest expiry. Written only when the expiry moves by more than `TOKEN_EXPIRY_LAG_MS`,
   * so renewals in a burst cost one write (the sweeper allows for that lag).
   */
  private async recordToken(admission: Pick<TokenAdmission, 'sessionId' | 'tokenExpiresAt'>, expiresAt: Date, now: Date): Promise<void> {
    if (admission.tokenExpiresAt && admission.tokenExpiresAt.getTime() >= expiresAt.getTime() - TOKEN_EXPIRY_LAG_MS) return;
    await this.tx.run((manager) => this.repository.recordToken(manager, admission.sessionId!, expiresAt, now));
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
