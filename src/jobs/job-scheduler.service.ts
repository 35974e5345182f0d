import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DiscoveryService } from '@nestjs/core';
import { jobsConfig } from '../config/jobs.config';
import { JOB_NAME, JobSchedule, ScheduledJob } from './job.decorator';
import { JobLeases } from './job-leases.service';
import { jobRuns } from '../common/metrics/counters';
import { activeTracing } from '../tracing/current';

/** A discovered job, with its name and schedule. */
interface RegisteredJob extends JobSchedule {
  name: string;
  job: ScheduledJob;
}

/**
 * Runs the scheduled jobs (every provider marked `@Job`, found through Nest's discovery) on
 * timers, each under a database lease so only one instance runs a job at a time. On shutdown it stops the timers and waits for a job that is running to finish, so
 * no job is cut off half way (each job's writes are transactions anyway).
 */
@Injectable()
export class JobScheduler implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobScheduler.name);
  private readonly jobs: RegisteredJob[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly leases: JobLeases,
    private readonly discovery: DiscoveryService,
    @Inject(jobsConfig.KEY) private readonly config: ConfigType<typeof jobsConfig>,
  ) {}

  /** Finds the jobs: every provider instance whose class is marked `@Job(name)`. */
  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const name = wrapper.metatype ? (Reflect.getMetadata(JOB_NAME, wrapper.metatype) as string | undefined) : undefined;
      if (name === undefined || !wrapper.instance) continue;
      if (this.jobs.some((j) => j.name === name)) throw new Error(`Two scheduled jobs are named ${name}`);
      const job = wrapper.instance as ScheduledJob;
      this.jobs.push({ name, job, ...job.schedule() });
    }
  }

  /** The names of the jobs found, in discovery order. */
  names(): string[] {
    return this.jobs.map((j) => j.name);
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
          await (tracing ? tracing.inNewTrace(`job ${name}`, () => job.job.run()) : job.job.run());
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
