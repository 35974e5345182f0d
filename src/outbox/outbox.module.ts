import { Global, Module } from '@nestjs/common';
import { EventsOutbox } from './events-outbox.service';
import { OutboxRepository } from './outbox.repository';

/** The outbox writer, for every feature that changes something worth telling (it depends on nothing but the database). */
@Global()
@Module({
  providers: [EventsOutbox, OutboxRepository],
  exports: [EventsOutbox],
})
export class OutboxModule {}
