import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `call_<unix seconds>_<9 of a-z0-9>`, the suffix from a cryptographic random source. */
export function generateChannelName(now: Date = new Date()): string {
  let suffix = '';
  for (let i = 0; i < 9; i += 1) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `call_${Math.floor(now.getTime() / 1000)}_${suffix}`;
}

/**
 * Agora channel names are exact and case-sensitive; a database collation may not be (MariaDB's
 * `utf8mb4_unicode_ci` ignores case and trailing spaces). Every look-up of a call by channel name
 * confirms the match with this, so no name outside the service's control gets a token or an effect.
 */
export function isSameChannel(stored: string, asked: string): boolean {
  return stored === asked;
}
