import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `call_<unix seconds>_<9 of a-z0-9>`, the suffix from a cryptographic random source. */
export function generateChannelName(now: Date = new Date()): string {
  let suffix = '';
  for (let i = 0; i < 9; i += 1) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `call_${Math.floor(now.getTime() / 1000)}_${suffix}`;
}
