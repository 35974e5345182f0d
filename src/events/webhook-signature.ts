import { createHmac } from 'node:crypto';

/** The header every webhook POST carries. */
export const SIGNATURE_HEADER = 'Ikoota-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the webhook secret. Receivers
 * verify it with the README's snippet (examples/verify-ikoota-signature.js). `t` is real time
 * (the receiver compares it with its own clock), like Agora tokens.
 */
export function signatureHeader(rawBody: string, secret: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
