import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { MediaEncryptionMode } from './entities/call.entity';

/** What every client of an encrypted call sets (Agora's built-in encryption): the mode, the key (64 hex characters) and the salt (32 bytes, base64). */
export interface MediaKey {
  mode: Exclude<MediaEncryptionMode, 'none'>;
  key: string;
  salt: string;
}

/** The HKDF `info` of the sealing key: fixed, so the same secret always derives the same key, and no other use of the secret derives this one. */
const SEALING_INFO = 'ikoota-calling/call_media_keys/aes-256-gcm/v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The AES-256 key the media keys are sealed with, derived from MEDIA_KEY_SECRET with HKDF-SHA256. */
export function sealingKeyOf(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), SEALING_INFO, 32));
}

/** A fresh key and salt from the CSPRNG: 32 random bytes each, as Agora recommends for the GCM2 modes. */
export function mintMediaKey(mode: MediaKey['mode']): MediaKey {
  return { mode, key: randomBytes(32).toString('hex'), salt: randomBytes(32).toString('base64') };
}

/**
 * The key and salt sealed with AES-256-GCM under `sealingKey`, a random 12-byte IV each time:
 * base64(iv | tag | ciphertext). The call id and mode are the additional data, so a sealed value
 * copied to another call's row, or read for another mode, does not open.
 */
export function sealMediaKey(sealingKey: Buffer, callId: number, media: MediaKey): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey, iv);
  cipher.setAAD(Buffer.from(`${callId}:${media.mode}`, 'utf8'));
  const body = Buffer.concat([cipher.update(`${media.key}.${media.salt}`, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The key and salt of a sealed value; null when it does not open (another secret, another call or mode, tampered). */
export function openMediaKey(sealingKey: Buffer, callId: number, mode: MediaKey['mode'], sealed: string): MediaKey | null {
  try {
    const raw = Buffer.from(sealed, 'base64');
    if (raw.length <= IV_BYTES + TAG_BYTES) return null;
    const decipher = createDecipheriv('aes-256-gcm', sealingKey, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${callId}:${mode}`, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const [key, salt] = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8').split('.');
    if (!key || !salt) return null;
    return { mode, key, salt };
  } catch {
    return null;
  }
}
