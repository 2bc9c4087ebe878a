/* eslint-disable @typescript-eslint/no-require-imports */
const { parseDevArgs } = require('../../stack/lib/dev') as {
  parseDevArgs(a: string[]): { apps: string[]; watch: boolean };
};
const { toolClass, withBootstrap } = require('../../stack/lib/kafka-tools') as {
  toolClass(t: string): string | undefined;
  withBootstrap(a: string[], b: string): string[];
};

describe('npm run dev arguments', () => {
  it('runs both apps in watch mode by default; app names and --no-watch narrow it', () => {
    expect(parseDevArgs([])).toEqual({ apps: ['messages', 'notifications'], watch: true });
    expect(parseDevArgs(['--no-watch'])).toEqual({ apps: ['messages', 'notifications'], watch: false });
    expect(parseDevArgs(['notifications', '--no-watch'])).toEqual({ apps: ['notifications'], watch: false });
    expect(() => parseDevArgs(['--wach'])).toThrow('dev: unknown argument --wach');
  });
});

describe('npm run kafka', () => {
  it("maps Kafka's script names (with or without kafka-) to kafka-tools main classes", () => {
    expect(toolClass('kafka-topics')).toBe('org.apache.kafka.tools.TopicCommand');
    expect(toolClass('consumer-groups')).toBe('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand');
    expect(toolClass('kafka-console-consumer')).toBe('org.apache.kafka.tools.consumer.ConsoleConsumer');
    expect(toolClass('kafka-server-start')).toBeUndefined();
  });

  it("fills in the stack's bootstrap server unless given", () => {
    expect(withBootstrap(['--list'], '127.0.0.1:9092')).toEqual(['--bootstrap-server', '127.0.0.1:9092', '--list']);
    expect(withBootstrap(['--bootstrap-server', 'k:1', '--list'], '127.0.0.1:9092')).toEqual([
      '--bootstrap-server',
      'k:1',
      '--list',
    ]);
    expect(withBootstrap(['--bootstrap-server=k:1'], 'x')).toEqual(['--bootstrap-server=k:1']);
  });
});
