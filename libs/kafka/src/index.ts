export * from './kafka-client.config';
export * from './topic-provisioner';
export * from './event-publisher';
export * from './kafka-producer.module';
export * from './kafka-server.options';
export * from './dead-letter';
