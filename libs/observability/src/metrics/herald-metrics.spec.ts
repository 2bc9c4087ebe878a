import { HeraldMetrics } from './herald-metrics';

const valueOf = async (
  m: HeraldMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> => {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
};

describe('HeraldMetrics', () => {
  it('exposes the Herald counters and gauges with an app label, plus default process metrics', async () => {
    const m = new HeraldMetrics('messages');
    m.published('message.created');
    m.published('message.created', 2);
    m.publishFailed('message.created');
    m.consumed('message.created', 4);
    m.deadLettered('message.created', 'not-json');
    m.stored(3);
    m.stored(0);
    m.setConsumerLag('message.created', 1, 42);
    m.observeHttp('GET', '/api/v1/messages/:id', 200, 0.012);
    expect(await valueOf(m, 'herald_events_published_total', { topic: 'message.created', app: 'messages' })).toBe(3);
    expect(await valueOf(m, 'herald_publish_failures_total', { topic: 'message.created' })).toBe(1);
    expect(await valueOf(m, 'herald_events_consumed_total', { topic: 'message.created' })).toBe(4);
    expect(await valueOf(m, 'herald_events_dead_lettered_total', { reason: 'not-json' })).toBe(1);
    expect(await valueOf(m, 'herald_notifications_stored_total')).toBe(3);
    expect(await valueOf(m, 'herald_consumer_lag', { partition: '1' })).toBe(42);
    const text = await m.render();
    expect(text).toContain(
      'herald_http_request_duration_seconds_bucket{le="0.025",app="messages",method="GET",route="/api/v1/messages/:id",status="200"} 1',
    );
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('reads the outbox backlog at scrape time and keeps the last value when the source fails', async () => {
    const m = new HeraldMetrics();
    expect(await valueOf(m, 'herald_outbox_backlog')).toBe(0);
    let backlog: number | Error = 7;
    m.setOutboxBacklogSource(async () => {
      if (backlog instanceof Error) throw backlog;
      return backlog;
    });
    expect(await valueOf(m, 'herald_outbox_backlog')).toBe(7);
    backlog = new Error('mongo down');
    expect(await valueOf(m, 'herald_outbox_backlog')).toBe(7);
  });

  it('keeps two apps in one process apart (own registries)', async () => {
    const a = new HeraldMetrics('a');
    const b = new HeraldMetrics('b');
    a.stored(1);
    expect(await valueOf(a, 'herald_notifications_stored_total')).toBe(1);
    expect(await valueOf(b, 'herald_notifications_stored_total')).toBe(0);
  });
});
