/**
 * Seeding through the service's own code: the bench opens the bench database in-process with
 * createApp({ clock }) (src/app.factory.ts) and calls the real services, as scripts/seed.ts
 * does. The service process is stopped meanwhile (see run.ts: on SQLite a second writer would
 * only contend for the file lock, and the figures must not include seeding).
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { AuthUser } from '../../src/auth/auth-user';
import { UsersService } from '../../src/auth/users.service';
import { CallsService } from '../../src/calls/calls.service';
import { Clock } from '../../src/common/clock';
import { TokensService } from '../../src/tokens/tokens.service';
import { HOUR, MINUTE, pool, random } from './util';

/** The system clock, unless the seeder sets a moment in the past. */
class BenchClock extends Clock {
  at?: Date;
  now(): Date {
    return this.at ? new Date(this.at) : new Date();
  }
}

export interface Services {
  app: NestFastifyApplication;
  clock: BenchClock;
  users: UsersService;
  calls: CallsService;
  tokens: TokensService;
}

/** Opens the app on DATABASE_URL (already set to the bench database), runs `work`, closes it. */
export async function withServices<T>(work: (services: Services) => Promise<T>): Promise<T> {
  const clock = new BenchClock();
  const app = await createApp({ clock });
  try {
    return await work({ app, clock, users: app.get(UsersService), calls: app.get(CallsService), tokens: app.get(TokensService) });
  } finally {
    await app.close();
  }
}

/** A member as the JWTs the bench signs describe them (ikootaClaims(id, 'member')). */
export const member = (services: Services, userId: number): Promise<AuthUser> => services.users.resolve({ userId, membershipStage: 'member', role: 'user' });

/** How many seeding operations run at once (SQLite queues them anyway; MariaDB uses its pool). */
const CONCURRENCY = 8;

export interface TokenSeed {
  /** One per member: who asks, for which channel, with the uid already bound to them. */
  members: Array<{ userId: number; channelName: string; uid: number }>;
  /** channelName -> user ids with an open session (for the baseline's Map). */
  admission: Record<string, number[]>;
}

/**
 * Scenario 1: `calls` public calls, `perCall` distinct members in each. The first member
 * creates the call; all of them join it and get a first token (which binds their uid), so the
 * measured requests are what members do all day: renew a token for a call they are in.
 */
export async function seedTokenScenario(services: Services, calls: number, perCall: number, firstUserId: number): Promise<TokenSeed> {
  const seed: TokenSeed = { members: [], admission: {} };
  await pool(
    Array.from({ length: calls }, (_, c) => c),
    CONCURRENCY,
    async (c) => {
      const ids = Array.from({ length: perCall }, (_, i) => firstUserId + c * perCall + i);
      const people = [];
      for (const id of ids) people.push(await member(services, id));
      const call = await services.calls.create(people[0], { title: `Bench token call ${c + 1}`, isPublic: true, maxParticipants: 25 });
      seed.admission[call.channelName] = ids;
      for (const [i, person] of people.entries()) {
        await services.calls.join(person, call.callId, 'video');
        const uid = 10_000 + i;
        await services.tokens.issue(person, { channelName: call.channelName, uid });
        seed.members.push({ userId: person.id, channelName: call.channelName, uid });
      }
    },
  );
  // Interleave calls, so successive members of the list are in different calls.
  seed.members.sort((a, b) => (a.userId - firstUserId) % perCall - ((b.userId - firstUserId) % perCall) || a.userId - b.userId);
  return seed;
}

export interface JoinLeaveSeed {
  callIds: number[];
  /** The churning members and the call each one joins and leaves. */
  churn: Array<{ userId: number; callId: number }>;
  seatedPerCall: number;
}

/**
 * Scenario 2: `calls` public calls with maxParticipants `cap`, each already holding `seated`
 * members (joined through the service, they stay), so that only `cap - seated` slots remain and
 * concurrent joins really run into the cap. `churners` other members are assigned to the calls
 * at random; they are resolved here (their users row exists) and join and leave over HTTP.
 */
export async function seedJoinLeaveScenario(
  services: Services,
  options: { calls: number; cap: number; seated: number; churners: number; firstUserId: number },
): Promise<JoinLeaveSeed> {
  const { calls, cap, seated, churners, firstUserId } = options;
  const callIds: number[] = new Array<number>(calls);
  await pool(
    Array.from({ length: calls }, (_, c) => c),
    CONCURRENCY,
    async (c) => {
      const first = firstUserId + c * seated;
      const host = await member(services, first);
      const call = await services.calls.create(host, { title: `Bench join call ${c + 1}`, isPublic: true, maxParticipants: cap });
      callIds[c] = call.callId;
      for (let i = 0; i < seated; i += 1) await services.calls.join(await member(services, first + i), call.callId, 'audio');
    },
  );
  const rand = random(4242);
  const churnFirst = firstUserId + calls * seated;
  const churn = Array.from({ length: churners }, (_, i) => ({ userId: churnFirst + i, callId: callIds[Math.floor(rand() * calls)] }));
  await pool(churn, CONCURRENCY, async ({ userId }) => void (await member(services, userId)));
  return { callIds, churn, seatedPerCall: seated };
}

/**
 * Scenario 3: `members` members, each a member of `callsEach` calls: in groups of `callsEach`,
 * each member of a group hosts one private call and the host invites the rest of the group.
 * Calls are spread over the past days; a third of them have ended.
 */
export async function seedMyCallsScenario(services: Services, members: number, callsEach: number, firstUserId: number): Promise<number[]> {
  const ids = Array.from({ length: members }, (_, i) => firstUserId + i);
  const groups: number[][] = [];
  for (let start = 0; start < ids.length; start += callsEach) groups.push(ids.slice(start, start + callsEach));
  const now = Date.now();
  let made = 0;
  for (const group of groups) {
    const people: AuthUser[] = [];
    for (const id of group) people.push(await member(services, id));
    for (const [i, host] of people.entries()) {
      // One call per hour going back; writes are queued on SQLite, so the clock is safe to move here.
      services.clock.at = new Date(now - (group.length - i) * HOUR - made * MINUTE);
      const call = await services.calls.create(host, { title: `Bench history call ${made + 1}`, isPublic: false, maxParticipants: 50 });
      const others = group.filter((id) => id !== host.id);
      for (let start = 0; start < others.length; start += 100) await services.calls.invite(host, call.callId, others.slice(start, start + 100));
      if (made % 3 === 0) await services.calls.end(call.callId, 'host', new Date(services.clock.now().getTime() + 30 * MINUTE));
      made += 1;
    }
  }
  services.clock.at = undefined;
  return ids;
}
