import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { EventsRedis } from './redis-channel';

/** How long a ticket may wait to be redeemed. */
export const TICKET_TTL_MS = 60_000;
const MEMORY_LIMIT = 50_000;

const hashOf = (ticket: string): string => createHash('sha256').update(ticket).digest('hex');

/**
 * Single-use tickets for opening a member event stream, so a browser's EventSource never puts
 * the JWT in a URL. 32 random bytes, valid 60 s, redeemed once. Only a SHA-256 of the ticket is
 * stored: in Redis with REDIS_URL (redeemed with GETDEL, so a ticket is used once across every
 * instance), else in this instance's memory (one instance: its streams are its own anyway).
 */
@Injectable()
export class EventTickets {
  private readonly memory = new Map<string, { userId: number; expiresAt: number }>();

  constructor(
    private readonly redis: EventsRedis,
    private readonly clock: Clock,
  ) {}

  async issue(userId: number): Promise<{ ticket: string; expiresAt: string }> {
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = this.clock.now().getTime() + TICKET_TTL_MS;
    const key = hashOf(ticket);
    if (this.redis.commands) await this.redis.commands.set(`events:ticket:${key}`, `${userId}:${expiresAt}`, 'PX', TICKET_TTL_MS);
    else {
      this.sweep();
      this.memory.set(key, { userId, expiresAt });
    }
    return { ticket, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The member a ticket was issued to; 401 EVENTS_TICKET_INVALID when it is unknown, expired or used. */
  async redeem(ticket: string): Promise<number> {
    const key = hashOf(ticket);
    let found: { userId: number; expiresAt: number } | undefined;
    if (this.redis.commands) {
      const value = await this.redis.commands.getdel(`events:ticket:${key}`);
      if (value) {
        const [userId, expiresAt] = value.split(':').map(Number);
        found = { userId, expiresAt };
      }
    } else {
      found = this.memory.get(key);
      this.memory.delete(key);
    }
    if (!found || found.expiresAt <= this.clock.now().getTime()) throw new DomainException('EVENTS_TICKET_INVALID');
    return found.userId;
  }

  private sweep(): void {
    const now = this.clock.now().getTime();
    for (const [key, entry] of this.memory) if (entry.expiresAt <= now) this.memory.delete(key);
    while (this.memory.size >= MEMORY_LIMIT) this.memory.delete(this.memory.keys().next().value as string);
  }
}
