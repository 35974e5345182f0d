/**
 * `npm run seed`: fills the configured database (DATABASE_URL, default the embedded SQLite file)
 * with a realistic demo: 40 members, public and private calls over the past four weeks with
 * finished sessions, media switches and a few calls still live, so analytics has something to
 * show. Everything goes through the service's own code with a clock moved through the past,
 * so the per-day aggregates match the raw records. Deterministic: the same story every run.
 *
 * Once only: a database that already has the demo (a call of one of its members) is left as it
 * is, with a message and exit 0. `--reset` empties the database first (every table but the
 * migrations'), only when the demo's members are the only members in it, and never with
 * NODE_ENV=production.
 */
import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import type { INestApplicationContext } from '@nestjs/common';
import { Between, DataSource, Not } from 'typeorm';
import { AdminService } from '../src/admin/admin.service';
import { AuthUser } from '../src/auth/auth-user';
import { UsersService } from '../src/auth/users.service';
import { CallsService } from '../src/calls/calls.service';
import { Clock } from '../src/common/clock';
import { isProduction } from '../src/config/env';
import { TransactionRunner } from '../src/database/transaction-runner.service';

class SeedClock extends Clock {
  at = new Date();
  now(): Date {
    return new Date(this.at);
  }
}

/** A small seeded PRNG (mulberry32) so every run builds the same story. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The demo's members are users 90001-90040; the first is its admin. */
const FIRST_MEMBER = 90_001;
const MEMBERS = 40;
const LAST_MEMBER = FIRST_MEMBER + MEMBERS - 1;

export interface SeededDemo {
  members: AuthUser[];
  callIds: number[];
  sessions: number;
}

/**
 * The demo story, told through the app's services with `setTime` moving the app's clock through
 * the four weeks before `now` (ms). Also seeds the dashboard's browser test; the clock is left in
 * the past, so set it back to `now` afterwards.
 */
export async function seedDemo(app: INestApplicationContext, setTime: (at: Date) => void, now: number): Promise<SeededDemo> {
  let at = new Date(now);
  const clock = {
    get at(): Date {
      return at;
    },
    set at(value: Date) {
      at = value;
      setTime(value);
    },
  };
  const users = app.get(UsersService);
  const calls = app.get(CallsService);
  const admin = app.get(AdminService);
  const rand = random(20260101);
  const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)];

  const stages = ['member', 'member', 'member', 'pre_member'];
  const members: AuthUser[] = [];
  for (let id = FIRST_MEMBER; id <= LAST_MEMBER; id += 1) {
    members.push(await users.resolve({ userId: id, membershipStage: pick(stages), role: id === FIRST_MEMBER ? 'admin' : 'user' }));
  }

  const today = Math.floor(now / DAY) * DAY;
  let created = 0;
  let sessions = 0;
  const callIds: number[] = [];
  for (let daysAgo = 27; daysAgo >= 0; daysAgo -= 1) {
    const callsToday = daysAgo % 7 === 6 ? 0 : 1 + Math.floor(rand() * 3);
    for (let c = 0; c < callsToday; c += 1) {
      // Today's first call is still going: it started 20 minutes ago, whatever the time of day
      // (today's usual 08:00-20:00 slots may all lie ahead).
      const live = daysAgo === 0 && c === 0;
      const slot = today - daysAgo * DAY + (8 + Math.floor(rand() * 12)) * 60 * MINUTE;
      const start = live ? now - 20 * MINUTE : slot;
      if (!live && start > now - 30 * MINUTE) continue;
      clock.at = new Date(start);
      const host = pick(members);
      const isPublic = rand() < 0.6;
      const call = await calls.create(host, { title: `${pick(['Weekly sync', 'Book circle', 'Mentoring', 'Town hall', 'Study group'])} #${created + 1}`, isPublic, maxParticipants: 25 });
      created += 1;
      callIds.push(call.callId);
      const guests = members.filter((m) => m.id !== host.id).sort(() => rand() - 0.5).slice(0, 2 + Math.floor(rand() * 8));
      if (!isPublic) await calls.invite(host, call.callId, guests.map((g) => g.id));
      const length = (20 + Math.floor(rand() * 70)) * MINUTE;
      for (const person of [host, ...guests]) {
        clock.at = new Date(start + Math.floor(rand() * 10) * MINUTE);
        await calls.join(person, call.callId, rand() < 0.3 ? 'audio' : 'video');
        sessions += 1;
        if (rand() < 0.3) {
          clock.at = new Date(Math.min(clock.at.getTime() + Math.floor(rand() * 15) * MINUTE, now - MINUTE));
          await calls.switchMedia(person, call.callId, rand() < 0.5 ? 'audio' : 'video');
        }
        if (!live && rand() < 0.4) {
          clock.at = new Date(start + Math.floor(length * (0.4 + rand() * 0.5)));
          await calls.leave(person, call.callId);
        }
      }
      if (!live) {
        clock.at = new Date(start + length);
        await admin.end(call.callId);
      }
    }
  }
  return { members, callIds, sessions };
}

/** The demo's members already in the database, when one of them has a call (the demo is there); null otherwise. */
async function existingDemo(app: INestApplicationContext): Promise<AuthUser[] | null> {
  const users = app.get(UsersService);
  const calls = app.get(CallsService);
  const members: AuthUser[] = [];
  let anyCall = false;
  for (let id = FIRST_MEMBER; id <= LAST_MEMBER; id += 1) {
    const member = await users.stored(id);
    if (!member) continue;
    members.push(member);
    anyCall ||= (await calls.myCalls(member, { scope: 'mine', limit: 1 })).length > 0;
  }
  return anyCall ? members : null;
}

/**
 * Deletes every row of every table the service has (the migrations' table is not one of them),
 * in one transaction; refused while the database has members besides the demo's.
 */
async function emptyDatabase(app: INestApplicationContext): Promise<void> {
  const dataSource = app.get(DataSource);
  await app.get(TransactionRunner).run(async (manager) => {
    const others = await manager.getRepository('users').count({ where: { id: Not(Between(FIRST_MEMBER, LAST_MEMBER)) } });
    if (others > 0) {
      throw new Error(
        `--reset empties the whole database, and this one has ${others} member(s) besides the demo's (users ${FIRST_MEMBER}-${LAST_MEMBER}): nothing was deleted. ` +
          'Point DATABASE_URL at a new database (or delete the SQLite file) instead.',
      );
    }
    for (const entity of dataSource.entityMetadatas) await manager.createQueryBuilder().delete().from(entity.target).execute();
  });
}

function usage(members: AuthUser[], liveCall?: number): string[] {
  const adminUser = members.find((m) => m.isAdmin) ?? members[0];
  const member = members.find((m) => !m.isAdmin && m.membershipStage === 'member') ?? members[1];
  return [
    `Admin:  user ${adminUser.id} (${adminUser.otoNumber})`,
    `  npm run token -- --user ${adminUser.id} --stage ${adminUser.membershipStage} --role admin`,
    `Member: user ${member.id} (${member.otoNumber})`,
    `  npm run token -- --user ${member.id} --stage ${member.membershipStage}`,
    '',
    'Then, for example:',
    `  curl -H "Authorization: Bearer $(npm run --silent token -- --user ${member.id} --stage ${member.membershipStage})" http://localhost:3000/api/calling/my-calls`,
    liveCall !== undefined
      ? `  curl -H "Authorization: Bearer $(npm run --silent token -- --user ${adminUser.id} --stage ${adminUser.membershipStage} --role admin)" http://localhost:3000/api/calling/admin/${liveCall}/details`
      : `  curl -H "Authorization: Bearer $(npm run --silent token -- --user ${adminUser.id} --stage ${adminUser.membershipStage} --role admin)" http://localhost:3000/api/calling/admin/calls`,
  ];
}

const HELP = `Usage: npm run seed [-- --reset]

Fills the configured database (DATABASE_URL, default ./data/calling.sqlite) with the demo:
members ${FIRST_MEMBER}-${LAST_MEMBER} (${FIRST_MEMBER} is an admin), calls and sessions over the past 4 weeks.
A database that already has the demo is left as it is.

  --reset   empty the database first (every table), then seed: only when the demo's members
            are the only members in it; refused with NODE_ENV=production
  --help    this text`;

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--reset' && arg !== '--help');
  if (unknown.length > 0 || args.includes('--help')) {
    (unknown.length > 0 ? console.error : console.log)(`${unknown.length > 0 ? `Unknown option ${unknown.join(' ')}\n\n` : ''}${HELP}`);
    return unknown.length > 0 ? 2 : 0;
  }
  const reset = args.includes('--reset');
  // Here rather than on import: the dashboard test imports seedDemo and keeps its own environment.
  loadDotenv();
  process.env.LOG_LEVEL ??= 'warn';
  // The story is written with the seed's own clock; the service folds and sweeps once it runs.
  process.env.JOBS_ENABLED = 'false';
  if (reset && isProduction()) {
    console.error('npm run seed -- --reset empties the database: refused with NODE_ENV=production.');
    return 1;
  }
  // Loaded only now: --help and the refusals above answer without loading the whole service.
  const { createApp } = await import('../src/app.factory');
  const clock = new SeedClock();
  const app = await createApp({ clock });
  try {
    if (reset) {
      await emptyDatabase(app);
    } else {
      const existing = await existingDemo(app);
      if (existing) {
        console.log(
          [
            `Already seeded: the demo's members (user ids ${FIRST_MEMBER}-${LAST_MEMBER}) and their calls are in this database; nothing was added.`,
            '(npm run seed -- --reset empties the database and seeds it again.)',
            '',
            ...usage(existing),
          ].join('\n'),
        );
        return 0;
      }
    }
    const { members, callIds, sessions } = await seedDemo(app, (at) => (clock.at = at), Date.now());
    const liveCall = callIds[callIds.length - 1];
    console.log(
      [
        `${reset ? 'Emptied the database and seeded' : 'Seeded'} ${members.length} members (user ids ${members[0].id}-${members[members.length - 1].id}), ${callIds.length} calls (ids ${callIds[0]}-${liveCall}) and ${sessions} sessions over the past 4 weeks.`,
        '',
        ...usage(members, liveCall),
      ].join('\n'),
    );
    return 0;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
