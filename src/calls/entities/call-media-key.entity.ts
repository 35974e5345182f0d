import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MediaEncryptionMode } from './call.entity';

/** The longest sealed value: base64 of iv (12) | tag (16) | the key and salt (109 bytes) is 184 characters. */
export const SEALED_MAX_LENGTH = 512;

/**
 * The media key and salt of an encrypted call (issue 26) while someone is in it, sealed with
 * AES-256-GCM under a key derived from MEDIA_KEY_SECRET (`MediaKeys`): one row per call, written
 * under the call's lock when the call goes from empty to occupied, replaced on the next such
 * transition and deleted when the call ends. Nothing but `MediaKeys` reads `sealed`, and nothing
 * shows it.
 */
@Entity({ name: 'call_media_keys' })
export class CallMediaKey {
  @PrimaryColumn({ name: 'call_id', type: 'int' })
  callId: number;

  /** The mode the key was minted for (the call's `encryption` then). */
  @Column({ type: 'varchar', length: 16 })
  mode: MediaEncryptionMode;

  /** base64(iv | tag | ciphertext) of the key and salt. */
  @Column({ type: 'varchar', length: SEALED_MAX_LENGTH })
  sealed: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
