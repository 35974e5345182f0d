import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { jobsConfig } from '../config/jobs.config';
import { JobLeases } from './job-leases.service';
import { jobRuns } from '../metrics/counters';
import { activeTracing } from '../tracing/current';

export interface ScheduledJob {
  /** Unique job name; also the lease name. */
  name: string;
  everyMs: number;
  /** How long one run may hold the lease; longer than a run should ever take. */
  leaseMs: number;
  run(): Promise<unknown>;
}

/**
 * Runs registered jobs on timers, each under a database lease so only one instance runs a job
 * at a time. On shutdown it stops the timers and waits for a job that is running to finish, so
 * no job is cut off half way (each job's writes are transactions anyway).
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobScheduler.name);
  private readonly jobs: ScheduledJob[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly leases: JobLeases,
    @Inject(jobsConfig.KEY) private readonly config: ConfigType<typeof jobsConfig>,
  ) {}

  register(job: ScheduledJob): void {
    this.jobs.push(job);
  }

  onApplicationBootstrap(): void {
    if (!this.config.jobsEnabled) return;
    for (const job of this.jobs) {
      // A first run soon after start-up (spread so instances started together do not collide),
      // so a daily job still runs on instances restarted more often than daily.
      const first = setTimeout(() => void this.runOnce(job.name), Math.min(job.everyMs, 5_000 + Math.random() * 25_000));
      const timer = setInterval(() => void this.runOnce(job.name), job.everyMs);
      first.unref();
      timer.unref();
      this.timers.push(first, timer);
    }
  }

  /** Runs a job now if no other instance holds its lease. Resolves true when it ran here. */
  async runOnce(name: string): Promise<boolean> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`Unknown job ${name}`);
    if (this.stopped || this.running.has(name)) return false;
    let ran = false;
    const run = (async () => {
      try {
        if (!(await this.leases.acquire(name, job.leaseMs))) {
          jobRuns.inc({ job: name, result: 'skipped' });
          return;
        }
        ran = true;
        try {
          // With tracing on, each run that took the lease is a trace of its own (its SQL, webhooks, S3).
          const tracing = activeTracing();
          await (tracing ? tracing.inNewTrace(`job ${name}`, () => job.run()) : job.run());
        } finally {
          await this.leases.release(name);
        }
        jobRuns.inc({ job: name, result: 'ok' });
      } catch (error) {
        jobRuns.inc({ job: name, result: 'failed' });
        this.logger.error({ msg: 'scheduled job failed', job: name, error: { type: (error as Error).name, message: (error as Error).message } });
      }
    })();
    this.running.set(name, run);
    await run.finally(() => this.running.delete(name));
    return ran;
  }

  /** Before the HTTP server and the database close: no new runs, and the current one finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.allSettled([...this.running.values()]);
  }
}
