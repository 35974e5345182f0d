import { Global, Module } from '@nestjs/common';
import { JobLeases } from './job-leases.service';
import { JobScheduler } from './job-scheduler.service';

/** Scheduled work (presence sweeper, retention) and the leases that keep it on one instance. */
@Global()
@Module({
  providers: [JobLeases, JobScheduler],
  exports: [JobLeases, JobScheduler],
})
export class JobsModule {}
