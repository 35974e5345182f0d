import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { eventsConfig } from '../config/events.config';
import { Job, JobSchedule, ScheduledJob } from '../jobs/job.decorator';
import { DELIVERY_JOB, EventsDelivery } from './events-delivery.service';

/** `events-delivery`: POSTs the outbox's pending events to the webhook (EventsDelivery.deliver). */
@Job(DELIVERY_JOB)
@Injectable()
export class EventsDeliveryJob implements ScheduledJob {
  constructor(
    private readonly delivery: EventsDelivery,
    @Inject(eventsConfig.KEY) private readonly config: ConfigType<typeof eventsConfig>,
  ) {}

  schedule(): JobSchedule {
    return { everyMs: this.config.deliveryIntervalMs, leaseMs: this.config.deliveryLeaseMs };
  }

  run(): Promise<unknown> {
    return this.delivery.deliver();
  }
}
