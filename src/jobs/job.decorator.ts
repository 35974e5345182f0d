import { SetMetadata } from '@nestjs/common';

/** The metadata key that marks a provider class as a scheduled job. */
export const JOB_NAME = Symbol('scheduled-job');

/** How often a job runs, and how long one run may hold its lease (longer than a run should ever take). */
export interface JobSchedule {
  everyMs: number;
  leaseMs: number;
}

/**
 * A scheduled job: one class in one `*.job.ts` file, marked `@Job('name')`, provided by its
 * feature's module. JobScheduler finds every such provider at start-up (Nest's DiscoveryService)
 * and runs it on its schedule under a database lease. The list of jobs is docs/architecture.md
 * "Jobs", which test/architecture.e2e-spec.ts holds to what is discovered.
 */
export interface ScheduledJob {
  /** The schedule, read once at start-up (from the feature's configuration). */
  schedule(): JobSchedule;
  run(): Promise<unknown>;
}

/** The schedule of a frequent job: every `everyMs`, its lease four runs long (a minute at least). */
export function frequently(everyMs: number): JobSchedule {
  return { everyMs, leaseMs: Math.max(everyMs * 4, 60_000) };
}

/** Marks a provider class as the scheduled job `name` (unique; also its lease's name). */
export const Job = (name: string): ClassDecorator => SetMetadata(JOB_NAME, name);
