// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeProperties } = require('../../stack/lib/kafka-props') as {
  nodeProperties(
    id: number,
    all: { client: number; controller: number; external?: number; advertisedPort?: number }[],
    dataDir: string,
    tls?: { keystore: string; password: string },
  ): Record<string, string | number | boolean>;
};

describe('nodeProperties (stack/lib/kafka-props.js)', () => {
  const three = [
    { client: 100, controller: 101 },
    { client: 110, controller: 111 },
    { client: 120, controller: 121, external: 122, advertisedPort: 200 },
  ];

  it('makes every node a voter of one static quorum, replication factor n and min ISR 2', () => {
    const p = nodeProperties(2, three, '/d');
    expect(p['node.id']).toBe(2);
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:101,2@127.0.0.1:111,3@127.0.0.1:121');
    expect(p['default.replication.factor']).toBe(3);
    expect(p['offsets.topic.replication.factor']).toBe(3);
    expect(p['min.insync.replicas']).toBe(2);
    expect(p['unclean.leader.election.enable']).toBe(false);
    expect(p.listeners).toBe('PLAINTEXT://127.0.0.1:110,CONTROLLER://127.0.0.1:111');
  });

  it('advertises an EXTERNAL listener at the given port (a proxy in front of it), SSL with a keystore', () => {
    const plain = nodeProperties(3, three, '/d');
    expect(plain['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:120,EXTERNAL://127.0.0.1:200');
    expect(plain['listener.security.protocol.map']).toContain('EXTERNAL:PLAINTEXT');
    const tls = nodeProperties(3, three, '/d', { keystore: '/k.p12', password: 'pw' });
    expect(tls['listener.security.protocol.map']).toContain('EXTERNAL:SSL');
    expect(tls['listener.name.external.ssl.keystore.location']).toBe('/k.p12');
  });

  it('a single node keeps min ISR 1 (writes need one replica)', () => {
    expect(nodeProperties(1, [three[0]], '/d')['min.insync.replicas']).toBe(1);
  });
});
