import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { KafkaProducerModule } from '@herald/kafka';
import { MessageStoreModule } from '../messages/message-store.module';
import { OutboxEntry, OutboxEntrySchema } from './outbox-entry.schema';
import { OutboxMetrics } from './outbox.metrics';
import { OutboxPublisher } from './outbox.publisher';
import { OutboxRelay } from './outbox.relay';
import { OutboxStore } from './outbox.store';

/**
 * Getting each stored message's event to Kafka: the outbox collection, the publisher the group
 * commit and the relay share, the relay, and their metrics (`herald_events_published_total`,
 * `herald_publish_failures_total`, `herald_outbox_backlog`).
 */
@Module({
  imports: [KafkaProducerModule, MessageStoreModule, MongooseModule.forFeature([{ name: OutboxEntry.name, schema: OutboxEntrySchema }])],
  providers: [OutboxStore, OutboxPublisher, OutboxRelay, OutboxMetrics],
  exports: [OutboxStore, OutboxPublisher, OutboxRelay],
})
export class OutboxModule {}
