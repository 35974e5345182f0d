import { readIkootaClaims } from './jwt-claims';

describe('readIkootaClaims', () => {
  it('reads the id from user_id, then id, then sub', () => {
    expect(readIkootaClaims({ user_id: 7, id: 8, sub: '9' })?.userId).toBe(7);
    expect(readIkootaClaims({ id: 8, sub: '9' })?.userId).toBe(8);
    expect(readIkootaClaims({ sub: '9' })?.userId).toBe(9);
    expect(readIkootaClaims({ user_id: '42' })?.userId).toBe(42);
  });

  it('refuses ids that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, 'abc', '12a', '', null, 2 ** 31, '99999999999', {}]) {
      expect(readIkootaClaims({ user_id: bad })).toBeUndefined();
    }
    expect(readIkootaClaims({})).toBeUndefined();
  });

  it('defaults stage to none and role to user, and never reads username or email', () => {
    const claims = readIkootaClaims({ user_id: 1, username: 'alice', email: 'a@example.org' });
    expect(claims).toEqual({ userId: 1, membershipStage: 'none', role: 'user', converseId: undefined });
    expect(JSON.stringify(claims)).not.toMatch(/alice|example/);
  });

  it('keeps a converse_id only in the OTO# format', () => {
    expect(readIkootaClaims({ user_id: 1, converse_id: 'OTO#K7Q2ZD' })?.converseId).toBe('OTO#K7Q2ZD');
    expect(readIkootaClaims({ user_id: 1, converse_id: 'oto#k7q2zd' })?.converseId).toBe('OTO#K7Q2ZD');
    expect(readIkootaClaims({ user_id: 1, converse_id: 'OTO#78901' })?.converseId).toBeUndefined();
    expect(readIkootaClaims({ user_id: 1, converse_id: 42 })?.converseId).toBeUndefined();
  });
});
