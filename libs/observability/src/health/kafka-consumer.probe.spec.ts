import { HealthIndicatorService } from '@nestjs/terminus';
import { EventEmitter } from 'node:events';
import { Subject } from 'rxjs';
import type { Consumer } from 'kafkajs';
import { KafkaConsumerProbe, WatchableMicroservice } from './kafka-consumer.probe';

const EVENTS = {
  CONNECT: 'consumer.connect',
  GROUP_JOIN: 'consumer.group_join',
  REBALANCING: 'consumer.rebalancing',
  CRASH: 'consumer.crash',
  STOP: 'consumer.stop',
  DISCONNECT: 'consumer.disconnect',
};

/** The slice of a kafkajs consumer the probe uses: `events` names and `on(event, listener)`. */
function fakeConsumer(): { consumer: Consumer; emit: (event: string, payload?: unknown) => void } {
  const emitter = new EventEmitter();
  const consumer = {
    events: EVENTS,
    on: (e: string, l: (ev: unknown) => void) => emitter.on(e, l),
  } as unknown as Consumer;
  return {
    consumer,
    emit: (event, payload = {}) => emitter.emit(event, { id: 1, type: event, timestamp: Date.now(), payload }),
  };
}

const join = { groupId: 'notifications', memberId: 'm-1', memberAssignment: { 'message.created': [0, 1, 2] } };

describe('KafkaConsumerProbe', () => {
  it('is down until the consumer joins its group, up while joined or rebalancing, down after a crash', () => {
    const probe = new KafkaConsumerProbe(new HealthIndicatorService());
    expect(probe.isHealthy().kafkaConsumer.status).toBe('down');
    const { consumer, emit } = fakeConsumer();
    probe.attach(consumer);
    emit(EVENTS.CONNECT);
    expect(probe.isHealthy().kafkaConsumer).toMatchObject({ status: 'down', state: 'connecting' });
    emit(EVENTS.GROUP_JOIN, join);
    expect(probe.isHealthy().kafkaConsumer).toMatchObject({
      status: 'up',
      state: 'joined',
      groupId: 'notifications',
      memberId: 'm-1',
      partitions: 3,
    });
    emit(EVENTS.REBALANCING);
    expect(probe.isHealthy().kafkaConsumer).toMatchObject({ status: 'up', state: 'rebalancing' });
    emit(EVENTS.CRASH, { error: new Error('boom') });
    expect(probe.isHealthy().kafkaConsumer).toMatchObject({ status: 'down', state: 'crashed', lastError: 'boom' });
    emit(EVENTS.CONNECT);
    emit(EVENTS.GROUP_JOIN, join);
    expect(probe.isHealthy().kafkaConsumer.status).toBe('up');
    emit(EVENTS.STOP);
    expect(probe.isHealthy().kafkaConsumer).toMatchObject({ status: 'down', state: 'stopped' });
  });

  it('attaches to a Nest microservice once its server created the consumer', () => {
    const probe = new KafkaConsumerProbe(new HealthIndicatorService());
    const status = new Subject<string>();
    const { consumer, emit } = fakeConsumer();
    let started = false;
    const microservice: WatchableMicroservice = {
      status,
      unwrap: <T>() => {
        if (!started) throw new Error('Not initialized');
        return [{}, consumer, {}] as T;
      },
    };
    probe.watch(microservice);
    status.next('disconnected');
    expect(probe.current.state).toBe('disconnected');
    started = true;
    status.next('connected');
    emit(EVENTS.GROUP_JOIN, join);
    expect(probe.isHealthy().kafkaConsumer.status).toBe('up');
  });
});
