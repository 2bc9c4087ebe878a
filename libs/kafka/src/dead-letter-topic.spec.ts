import { Topics } from '@herald/contracts';
import { dlqTopicOf } from './dead-letter';

describe('dlqTopicOf', () => {
  it('is the DLQ topic of Topics for message.created', () => {
    expect(dlqTopicOf(Topics.MessageCreated)).toBe(Topics.MessageCreatedDlq);
  });

  it('refuses a topic without a DLQ (a consumer wired to it could not dead-letter)', () => {
    expect(() => dlqTopicOf('orders.placed')).toThrow(/no dead-letter topic/);
  });
});
