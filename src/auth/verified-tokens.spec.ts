import { VerifiedTokens } from './verified-tokens';

const claims = (userId: number) => ({ userId, membershipStage: 'member', role: 'user' });

describe('VerifiedTokens', () => {
  it('keeps an accepted token until its exp, the way jsonwebtoken counts it', () => {
    const cache = new VerifiedTokens();
    cache.set('t', claims(1), 1_000);
    expect(cache.get('t', 999_999)).toEqual(claims(1));
    // jsonwebtoken refuses a token once the current second reaches exp.
    expect(cache.get('t', 1_000_000)).toBeUndefined();
    // Dropped: the next request verifies the token again (and is refused as expired).
    expect(cache.get('t', 0)).toBeUndefined();
  });

  it('keeps a token without exp (JWT_REQUIRE_EXP=false) and forgets the oldest past its limit', () => {
    const cache = new VerifiedTokens(2);
    cache.set('a', claims(1), undefined);
    cache.set('b', claims(2), 2_000_000_000);
    cache.set('c', claims(3), 2_000_000_000);
    expect(cache.get('a', 1e15)).toBeUndefined();
    expect(cache.get('b', 0)).toEqual(claims(2));
    expect(cache.get('c', 0)).toEqual(claims(3));
    expect(cache.get('unknown', 0)).toBeUndefined();
  });
});
