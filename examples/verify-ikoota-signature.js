// Verifies an Ikoota Calling webhook. Pass the raw request body exactly as received (a string,
// before any JSON parsing), the Ikoota-Signature header and your EVENTS_WEBHOOK_SECRET.
// True when the body was signed with the secret less than 5 minutes ago (either way).
const { createHmac, timingSafeEqual } = require('node:crypto');

const TOLERANCE_SECONDS = 5 * 60;

function verifyIkootaSignature(rawBody, header, secret, nowSeconds = Math.floor(Date.now() / 1000)) {
  const parts = Object.fromEntries(String(header || '').split(',').map((part) => part.trim().split('=', 2)));
  if (!/^\d{1,12}$/.test(parts.t || '') || !/^[0-9a-f]{64}$/.test(parts.v1 || '')) return false;
  if (Math.abs(nowSeconds - Number(parts.t)) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'));
}

module.exports = { verifyIkootaSignature };
