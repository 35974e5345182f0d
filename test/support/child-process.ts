import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The repository root: entry points run from here so ts-node finds tsconfig.json. */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');

/**
 * The environment a child process starts from: just enough to run node, none of the variables
 * the Jest setup or the developer's shell set, so each test says exactly what it configures.
 */
export function baseChildEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) base[key] = value;
  return base;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningChild {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when the process has exited, with its status and everything it printed. */
  exited: Promise<Finished>;
}

/** Starts `node -r ts-node/register/transpile-only <script> ...args` in the repository root. */
export function startTsNode(script: string, args: string[], env: NodeJS.ProcessEnv): RunningChild {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
  }));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

/** Runs a script to completion (killing it after `timeoutMs`). */
export async function runTsNode(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<Finished> {
  const running = startTsNode(script, args, env);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP port nothing listens on right now, picked by the OS. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}
