import { validateSync } from 'class-validator';
import { CONSUMER_GROUP_ID, IsConsumerGroupId } from './kafka-rules';

class Probe {
  @IsConsumerGroupId('KAFKA_SOME_GROUP')
  KAFKA_SOME_GROUP!: string;
}

const errorsFor = (value: string): string[] =>
  validateSync(Object.assign(new Probe(), { KAFKA_SOME_GROUP: value })).flatMap((e) =>
    Object.values(e.constraints ?? {}),
  );

describe('IsConsumerGroupId', () => {
  it.each(['notifications', 'conversations', 'e2e.run-1_a', 'x'.repeat(200)])('accepts %s', (value) => {
    expect(errorsFor(value)).toEqual([]);
  });

  it.each(['', 'bad group', 'a/b', 'x'.repeat(201), 'grüppe'])('refuses %j, naming the variable', (value) => {
    expect(errorsFor(value)).toEqual(['KAFKA_SOME_GROUP must be 1..200 characters of A-Z a-z 0-9 . _ -']);
    expect(CONSUMER_GROUP_ID.test(value)).toBe(false);
  });
});
