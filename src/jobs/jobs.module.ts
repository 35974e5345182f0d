import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobLeasesRepository } from './job-leases.repository';
import { JobLeases } from './job-leases.service';
import { JobScheduler } from './job-scheduler.service';

/** Scheduled work (every `@Job` provider, listed in docs/architecture.md) and the leases that keep it on one instance. */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [JobLeasesRepository, JobLeases, JobScheduler],
  exports: [JobLeases, JobScheduler],
})
export class JobsModule {}
