import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { KafkaProducerModule } from '@herald/kafka';
import { Message, MessageSchema } from '../messages/message.schema';
import { OutboxMetrics } from './outbox.metrics';
import { OutboxPublisher } from './outbox.publisher';
import { OutboxRelay } from './outbox.relay';

/**
 * Getting each stored message's event to Kafka: right away, and by the relay when that fails; with
 * their metrics (`herald_events_published_total`, `herald_publish_failures_total`, `herald_outbox_backlog`).
 */
@Module({
  imports: [KafkaProducerModule, MongooseModule.forFeature([{ name: Message.name, schema: MessageSchema }])],
  providers: [OutboxPublisher, OutboxRelay, OutboxMetrics],
  exports: [OutboxPublisher, OutboxRelay],
})
export class OutboxModule {}
