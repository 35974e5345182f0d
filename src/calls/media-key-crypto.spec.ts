import { mintMediaKey, openMediaKey, sealingKeyOf, sealMediaKey } from './media-key-crypto';

describe('media key sealing (issue 26)', () => {
  const secret = 'a-media-key-secret-of-at-least-32-characters';
  const sealing = sealingKeyOf(secret);

  it('mints 32 random bytes of key (64 hex) and salt (base64), a new pair each time', () => {
    const a = mintMediaKey('aes-256-gcm2');
    const b = mintMediaKey('aes-256-gcm2');
    expect(a.key).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(a.salt, 'base64')).toHaveLength(32);
    expect(a.key).not.toBe(b.key);
    expect(a.salt).not.toBe(b.salt);
  });

  it('opens what it sealed, with a fresh IV each time, and shows neither key nor salt in the sealed value', () => {
    const media = mintMediaKey('aes-128-gcm2');
    const one = sealMediaKey(sealing, 7, media);
    const two = sealMediaKey(sealing, 7, media);
    expect(one).not.toBe(two);
    expect(openMediaKey(sealing, 7, 'aes-128-gcm2', one)).toEqual(media);
    expect(one).not.toContain(media.key);
    expect(one).not.toContain(media.salt);
  });

  it('does not open under another secret, for another call or mode, or tampered', () => {
    const media = mintMediaKey('aes-256-gcm2');
    const sealed = sealMediaKey(sealing, 7, media);
    expect(openMediaKey(sealingKeyOf(`${secret}-rotated`), 7, 'aes-256-gcm2', sealed)).toBeNull();
    expect(openMediaKey(sealing, 8, 'aes-256-gcm2', sealed)).toBeNull();
    expect(openMediaKey(sealing, 7, 'aes-128-gcm2', sealed)).toBeNull();
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1] ^= 1;
    expect(openMediaKey(sealing, 7, 'aes-256-gcm2', raw.toString('base64'))).toBeNull();
    expect(openMediaKey(sealing, 7, 'aes-256-gcm2', 'c2hvcnQ=')).toBeNull();
  });
});
