import { Module } from '@nestjs/common';
import { EventBodies } from './event-bodies.service';
import { EventsAdminController } from './events-admin.controller';
import { EventsAdminService } from './events-admin.service';
import { EventsDeliveryJob } from './events-delivery.job';
import { EventsDelivery } from './events-delivery.service';
import { EventsRepository } from './events.repository';
import { CallsModule } from '../calls/calls.module';
import { EventStreamsService } from './event-streams.service';
import { EventTickets } from './event-tickets.service';
import { EventsHub } from './events-hub.service';
import { EventsStreamController } from './events-stream.controller';
import { EventsRedis } from './redis-channel';

/** Telling the world what happened, from the outbox (EventsOutbox writes it): signed webhooks, and member event streams. */
@Module({
  imports: [CallsModule],
  controllers: [EventsAdminController, EventsStreamController],
  providers: [EventsRepository, EventBodies, EventsDelivery, EventsDeliveryJob, EventsAdminService, EventsRedis, EventTickets, EventsHub, EventStreamsService],
  exports: [EventsDelivery, EventsHub],
})
export class EventsModule {}
