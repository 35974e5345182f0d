import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { DomainException } from '../common/exceptions/domain.exception';
import { ConfigValidationError } from '../config/env';
import { mediaKeysConfig } from '../config/media-keys.config';
import type { Call, MediaEncryptionMode } from './entities/call.entity';
import { MediaKey, mintMediaKey, openMediaKey, sealingKeyOf, sealMediaKey } from './media-key-crypto';
import { MediaKeysRepository } from './media-keys.repository';

export type { MediaKey } from './media-key-crypto';

/** What MediaKeys needs of a call, read under its lock. */
export type KeyedCall = Pick<Call, 'id' | 'encryption' | 'activeParticipants' | 'recordingId'>;

/**
 * The media keys of encrypted calls (issue 26). Agora's built-in encryption needs every client in
 * the channel to use the same mode, key and salt, and a new key and salt each time encryption is
 * enabled: the service mints a pair (32 random bytes each, from the CSPRNG) when a call goes from
 * nobody in its channel to somebody (the first join, or a recorder started in an empty call), keeps
 * it sealed at rest (AES-256-GCM under a key HKDF derives from MEDIA_KEY_SECRET; `call_media_keys`),
 * hands it to admitted participants (join, token) and to the recorder, and deletes it when the call
 * ends. The key and salt are never logged, evented or shown elsewhere; failures name the call only.
 */
@Injectable()
export class MediaKeys implements OnApplicationBootstrap {
  private readonly logger = new Logger(MediaKeys.name);
  private readonly sealingKey: Buffer | null;

  constructor(
    private readonly repository: MediaKeysRepository,
    @Inject(mediaKeysConfig.KEY) config: ConfigType<typeof mediaKeysConfig>,
  ) {
    this.sealingKey = config.secret ? sealingKeyOf(config.secret) : null;
  }

  /** Start-up refuses to run encrypted calls it could not key: MEDIA_KEY_SECRET is required while any is not ended. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.sealingKey) return;
    const live = await this.repository.liveEncryptedCalls();
    if (live > 0) throw new ConfigValidationError([`MEDIA_KEY_SECRET is required: ${live} call(s) not ended use media encryption`]);
  }

  /** Whether encrypted calls can be keyed here (MEDIA_KEY_SECRET set). */
  available(): boolean {
    return this.sealingKey !== null;
  }

  /** 400 ENCRYPTION_UNAVAILABLE for an encrypted mode without MEDIA_KEY_SECRET. */
  requireAvailable(mode: MediaEncryptionMode | undefined): void {
    if (mode !== undefined && mode !== 'none' && !this.sealingKey) throw new DomainException('ENCRYPTION_UNAVAILABLE');
  }

  /**
   * The call's key for a member the join admits, inside the join's transaction (the call's lock
   * held, `activeParticipants` counting this join when it opened a session). A fresh pair when
   * this join took the call from empty to occupied and no recorder holds the current one; else
   * the current pair. Nothing for a call without encryption: no statement is sent.
   */
  forJoin(manager: EntityManager, call: KeyedCall, opened: boolean, now: Date): Promise<MediaKey> | undefined {
    if (call.encryption === 'none') return undefined;
    return this.current(manager, call, opened && call.activeParticipants === 1 && call.recordingId === null, now);
  }

  /**
   * The call's key for members coming in together (a group of joins, JoinGroups): a fresh pair when
   * the call was empty before them and nobody records, else the current one.
   */
  forGroup(manager: EntityManager, call: KeyedCall, emptyBefore: boolean, now: Date): Promise<MediaKey> | undefined {
    if (call.encryption === 'none') return undefined;
    return this.current(manager, call, emptyBefore && call.recordingId === null, now);
  }

  /**
   * The call's key for a recorder about to start (the recordings feature, under the call's lock,
   * before its claim). A recorder in an empty call is the channel's first occupant: a fresh pair,
   * which the joins after it keep while it records.
   */
  forRecorder(manager: EntityManager, call: KeyedCall, now: Date): Promise<MediaKey> | undefined {
    if (call.encryption === 'none') return undefined;
    return this.current(manager, call, call.activeParticipants === 0, now);
  }

  /** The key and salt of a sealed row read elsewhere (the token path's admission read); null when it does not open. */
  open(callId: number, mode: MediaEncryptionMode, sealed: string | null): MediaKey | null {
    if (mode === 'none' || !sealed || !this.sealingKey) return null;
    return openMediaKey(this.sealingKey, callId, mode, sealed);
  }

  /** The call's key deleted, inside the caller's transaction (the call ended, or its mode changed while empty). */
  dropWithin(manager: EntityManager, callId: number): Promise<void> {
    return this.repository.drop(manager, callId);
  }

  /**
   * The call's current key, read only (never minted): undefined without encryption (no statement),
   * null when there is none that opens (then `forJoin` mints one, in a transaction that commits).
   */
  async existing(manager: EntityManager, call: Pick<KeyedCall, 'id' | 'encryption'>): Promise<MediaKey | null | undefined> {
    if (call.encryption === 'none') return undefined;
    if (!this.sealingKey) throw new DomainException('ENCRYPTION_UNAVAILABLE');
    const row = await this.repository.sealedOf(manager, call.id);
    const opened = row && row.mode === call.encryption ? openMediaKey(this.sealingKey, call.id, call.encryption, row.sealed) : null;
    // Another secret sealed it: a new pair will be minted (the call's id only in the log).
    if (row && !opened) this.logger.warn({ msg: 'media key did not open: a new one will be minted', callId: call.id });
    return opened;
  }

  private async current(manager: EntityManager, call: KeyedCall, fresh: boolean, now: Date): Promise<MediaKey> {
    const mode = call.encryption as MediaKey['mode'];
    if (!this.sealingKey) throw new DomainException('ENCRYPTION_UNAVAILABLE');
    const kept = fresh ? null : await this.existing(manager, call);
    if (kept) return kept;
    const minted = mintMediaKey(mode);
    await this.repository.replace(manager, { callId: call.id, mode, sealed: sealMediaKey(this.sealingKey, call.id, minted), createdAt: now });
    return minted;
  }
}
