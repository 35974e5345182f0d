import { FixedWindowThrottlerStorage } from './fixed-window-storage';

describe('FixedWindowThrottlerStorage', () => {
  it('allows `limit` hits per window, blocks the next with a Retry-After, and resets', async () => {
    let now = 1_000_000;
    const storage = new FixedWindowThrottlerStorage(() => now);
    try {
      for (let i = 1; i <= 3; i += 1) {
        expect(await storage.increment('user:1', 60_000, 3, 60_000, 'token')).toMatchObject({ totalHits: i, isBlocked: false });
      }
      const blocked = await storage.increment('user:1', 60_000, 3, 60_000, 'token');
      expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
      now += 30_000;
      expect(await storage.increment('user:1', 60_000, 3, 60_000, 'token')).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
      // Other keys and other throttlers count on their own.
      expect(await storage.increment('user:2', 60_000, 3, 60_000, 'token')).toMatchObject({ totalHits: 1, isBlocked: false });
      expect(await storage.increment('user:1', 60_000, 3, 60_000, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
      now += 30_001;
      expect(await storage.increment('user:1', 60_000, 3, 60_000, 'token')).toMatchObject({ totalHits: 1, isBlocked: false });
    } finally {
      storage.onApplicationShutdown();
    }
  });
});
