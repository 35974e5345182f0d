import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort } from './child-process';
import { describeNeeding } from './requirements';

/**
 * A MariaDB server of a test's own: its own data directory under the system's temporary folder,
 * its own port, root without a password. A fault test may stop it (SIGSTOP, as a VM pause, a stuck
 * disk or a long GC look from outside) without touching the shared server that everyone else uses.
 * `stop()` kills it and removes its data directory.
 */
export interface OwnMariadb {
  port: number;
  pid: number;
  /** A database URL on this server (the database is created by `createDatabase`). */
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  /**
   * SIGSTOP: the kernel still accepts connections and takes bytes; nothing answers. Resolves once
   * every thread of the server has stopped: the kernel stops a multi-threaded process only when the
   * thread it woke for the signal gets a CPU, and on a busy machine the others answer meanwhile
   * (a COMMIT sent right after `kill()` was once answered 50 ms later).
   */
  freeze(): Promise<void>;
  /** SIGCONT: the server carries on with whatever queued meanwhile. */
  thaw(): void;
  /** Shuts the server down (SIGTERM), keeping its data; `restart()` starts it again on the same port. */
  halt(): Promise<void>;
  restart(): Promise<void>;
  /** Kills the server and removes its data directory. */
  stop(): Promise<void>;
}

const INSTALL_DB = process.env.MARIADB_INSTALL_DB ?? 'mariadb-install-db';
const MARIADBD = process.env.MARIADBD ?? '/usr/sbin/mariadbd';

/**
 * Whether a program is there to run: a path, or a name found on PATH. Looked up, never run
 * (`mariadb-install-db` with an option it does not know would go on to install into the default
 * data directory).
 */
function executable(program: string): boolean {
  const candidates = program.includes('/') ? [program] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, program));
  return candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * `describe` for tests that start their own MariaDB, when its programs are here (or CI demands
 * them: there a missing program fails the run), else `describe.skip` with a line on stderr. For
 * MariaDB runs only (TEST_DB=mysql); the caller passes that condition.
 */
export function describeWithOwnMariadb(wanted: boolean, name: string, tests: () => void): void {
  if (!wanted) return describe.skip(name, tests);
  const installed = [INSTALL_DB, MARIADBD].every(executable);
  describeNeeding(name, installed ? null : `no ${INSTALL_DB} or ${MARIADBD} here (apt-get install -y mariadb-server, or set MARIADB_INSTALL_DB and MARIADBD)`, tests);
}

/** Small files and buffers: the server lives for one test file. */
const SMALL = ['--innodb-log-file-size=4M', '--innodb-buffer-pool-size=16M', '--skip-log-bin', '--skip-name-resolve', '--skip-performance-schema'];

async function run(command: string, args: string[], log: string): Promise<void> {
  const child = spawn(command, args, { stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${command} exited with ${code}; see ${log}`);
}

export async function startOwnMariadb(): Promise<OwnMariadb> {
  const dir = await mkdtemp(join(tmpdir(), 'own-mariadb-'));
  const datadir = join(dir, 'data');
  const errorLog = join(dir, 'error.log');
  // mariadbd refuses to run as root unless told to.
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  let child: ChildProcess | undefined;
  const cleanUp = async () => {
    if (child) await kill(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run(
      INSTALL_DB,
      ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...user, ...SMALL, `--log-error=${errorLog}`],
      errorLog,
    );
    const port = await freePort();
    const launch = async (): Promise<void> => {
      child = spawn(
        MARIADBD,
        ['--no-defaults', `--datadir=${datadir}`, `--port=${port}`, `--socket=${join(dir, 'sock')}`, '--bind-address=127.0.0.1', `--pid-file=${join(dir, 'pid')}`, `--log-error=${errorLog}`, ...user, ...SMALL],
        { stdio: 'ignore' },
      );
      await waitUntilAnswering(port, once(child, 'exit'), errorLog);
    };
    await launch();
    const url = (database: string) => `mysql://root@127.0.0.1:${port}/${database}`;
    const running = (): ChildProcess => {
      if (!child || child.exitCode !== null || child.signalCode !== null) throw new Error('the server is not running');
      return child;
    };
    return {
      port,
      get pid() {
        return running().pid!;
      },
      url,
      async createDatabase(name) {
        const admin = await createConnection({ host: '127.0.0.1', port, user: 'root' });
        await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
        await admin.end();
        return url(name);
      },
      freeze: async () => {
        const pid = running().pid!;
        process.kill(pid, 'SIGSTOP');
        await stopped(pid);
      },
      thaw: () => process.kill(running().pid!, 'SIGCONT'),
      halt: async () => {
        if (child) await kill(child);
      },
      restart: launch,
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Linux's state letter of each thread of a process ('T' stopped by a signal), from /proc. */
async function threadStates(pid: number): Promise<string[] | undefined> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => undefined);
  if (!tasks) return undefined;
  // The state follows the command name in parentheses, which may itself hold spaces.
  const stats = await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(() => ') T')));
  return stats.map((stat) => stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
}

/** Until every thread of the process is stopped; where there is no /proc, at once. */
async function stopped(pid: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const states = await threadStates(pid);
    if (!states || states.every((state) => state === 'T')) return;
    if (Date.now() > deadline) throw new Error(`mariadbd (${pid}) did not stop within 5 s of SIGSTOP: thread states ${states.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function waitUntilAnswering(port: number, exited: Promise<unknown>, errorLog: string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const connection = await createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
      await connection.end();
      return;
    } catch (error) {
      if (gone || Date.now() > deadline) {
        const log = await readFile(errorLog, 'utf8').catch(() => '');
        throw new Error(`mariadbd did not start (${(error as Error).message}):\n${log.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** SIGCONT first (a stopped process does not act on SIGTERM), then SIGTERM, SIGKILL after 10 s. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
