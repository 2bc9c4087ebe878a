import { Module } from '@nestjs/common';
import { KafkaProducerModule } from '@herald/kafka';
import { MessagesDalModule } from '../dal/dal.module';
import { OutboxMetrics } from './outbox.metrics';
import { OutboxPublisher } from './outbox.publisher';
import { OutboxRelay } from './outbox.relay';

/**
 * Getting each stored message's event to Kafka (collection `outbox` through `OutboxRepository`):
 * the publisher the group commit and the relay share, the relay, and their metrics (`herald_events_published_total`,
 * `herald_publish_failures_total`, `herald_outbox_backlog`).
 */
@Module({
  imports: [KafkaProducerModule, MessagesDalModule],
  providers: [OutboxPublisher, OutboxRelay, OutboxMetrics],
  exports: [OutboxPublisher, OutboxRelay],
})
export class OutboxModule {}
