import { Module } from '@nestjs/common';
import { EventBodies } from './event-bodies.service';
import { EventsAdminController } from './events-admin.controller';
import { EventsAdminService } from './events-admin.service';
import { EventsDelivery } from './events-delivery.service';
import { EventsRepository } from './events.repository';

/** Telling the world what happened: signed webhooks from the outbox (EventsOutbox writes it). */
@Module({
  controllers: [EventsAdminController],
  providers: [EventsRepository, EventBodies, EventsDelivery, EventsAdminService],
  exports: [EventsRepository, EventBodies, EventsDelivery],
})
export class EventsModule {}
