/**
 * Child processes of the bench (the service, the baseline, the load generator): spawned and
 * tracked here so every one of them is stopped on the way out, whatever the way out is.
 */
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { sleep } from './util';

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** The last lines it printed (stdout and stderr), for the log when something fails. */
  tail(): string;
  exited: Promise<number | null>;
}

const live = new Set<Child>();

/** Spawns a tracked child; its output is kept (last 80 lines) and echoed only when asked. */
export function spawnChild(name: string, command: string, args: string[], options: SpawnOptions & { echo?: boolean; onLine?: (line: string) => void } = {}): Child {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      options.onLine?.(line);
    }
    if (lines.length > 80) lines.splice(0, lines.length - 80);
    if (options.echo) process.stderr.write(chunk);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = { name, process: proc, pid: proc.pid, tail: () => lines.join('\n'), exited };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** Stops a child: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Last resort (errors, signals): SIGKILL every child still running, synchronously. */
export function killAllChildren(): void {
  for (const child of live) {
    try {
      child.process.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child, 5_000)));
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** One HTTP GET; resolves with the status code (0 when the connection failed). */
export function httpStatus(url: string, timeoutMs = 1_000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Polls `url` until it answers 200; resolves with the milliseconds since `since`. */
export async function waitFor200(child: Child, url: string, since: number, timeoutMs = 60_000): Promise<number> {
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited (code ${child.process.exitCode}) before ${url} answered:\n${child.tail()}`);
    if ((await httpStatus(url, 500)) === 200) return performance.now() - since;
    if (performance.now() - since > timeoutMs) throw new Error(`${child.name}: ${url} did not answer 200 within ${timeoutMs / 1000} s:\n${child.tail()}`);
    await sleep(10);
  }
}

/**
 * Peak resident memory of a process, in MB. Reads VmHWM (the kernel's high-water mark) from
 * /proc/<pid>/status; where there is no /proc, start() samples the resident size every 100 ms
 * (`ps`) and peak() returns the highest sample.
 */
export class PeakRss {
  private sampled = 0;
  private timer?: NodeJS.Timeout;
  readonly source: 'VmHWM' | 'sampled VmRSS';

  constructor(private readonly pid: number) {
    this.source = existsSync(`/proc/${pid}/status`) ? 'VmHWM' : 'sampled VmRSS';
    if (this.source === 'sampled VmRSS') {
      this.timer = setInterval(() => {
        try {
          const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
          if (kb * 1024 > this.sampled) this.sampled = kb * 1024;
        } catch {
          // the process is gone
        }
      }, 100);
      this.timer.unref();
    }
  }

  /** Read while the process is still running (at the end of the scenario). */
  peakMb(): number | undefined {
    if (this.timer) clearInterval(this.timer);
    if (this.source === 'VmHWM') {
      try {
        const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
        return match ? Number(match[1]) / 1024 : undefined;
      } catch {
        return undefined;
      }
    }
    return this.sampled ? this.sampled / 1024 / 1024 : undefined;
  }
}
