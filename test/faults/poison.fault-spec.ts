import { Message } from 'kafkajs';
import { Limits, Topics } from '@herald/contracts';
import { DlqHeaders } from '@herald/kafka';
import { awaitNotifications, Expected } from '../support/fault-metrics';
import { faultFixture } from '../support/fault-fixture';
import { dlqRecordsOf, groupLag, MARKER_HEADER, ScannedRecord, testProducer } from '../support/kafka-probe';
import { messageCreatedRecord } from '../support/load';
import { startApp, withAppLogs } from '../support/processes';
import { waitFor } from '../support/wait';

/** One kind of poison record: how its value (and key/headers) are built, and the reason expected. */
interface PoisonKind {
  kind: string;
  reason: string;
  build(valid: Record<string, any>, tag: string, n: number): Pick<Message, 'key' | 'value' | 'headers'>;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const KINDS: PoisonKind[] = [
  { kind: 'not-json', reason: 'not-json', build: () => ({ value: Buffer.from('{"eventId": oops') }) },
  { kind: 'json-array', reason: 'not-an-object', build: (v) => ({ value: json([v]) }) },
  { kind: 'wrong-schema', reason: 'invalid-schema', build: () => ({ value: json({ hello: 'world', n: 1 }) }) },
  { kind: 'missing-data', reason: 'invalid-schema', build: (v) => ({ value: json({ ...v, data: undefined }) }) },
  // Versions from 1 up are all accepted (docs/events.md, rule 2): 0 is the version no producer may write.
  { kind: 'version-0', reason: 'invalid-schema', build: (v) => ({ value: json({ ...v, version: 0 }) }) },
  {
    kind: 'wrong-type-field',
    reason: 'invalid-schema',
    build: (v) => ({ value: json({ ...v, type: 'message.deleted' }) }),
  },
  {
    kind: 'bad-message-id',
    reason: 'invalid-schema',
    build: (v) => ({ value: json({ ...v, data: { ...v.data, messageId: 'not-an-object-id' } }) }),
  },
  { kind: 'null-value', reason: 'empty', build: () => ({ value: null }) },
  { kind: 'empty-value', reason: 'empty', build: () => ({ value: Buffer.alloc(0) }) },
  // Valid JSON above the consumer's 256 KiB limit, and a second one close to the broker's 1 MiB.
  {
    kind: 'oversized-300k',
    reason: 'oversized',
    build: (v) => ({ value: json({ ...v, data: { ...v.data, body: 'x'.repeat(300 * 1024) } }) }),
  },
  { kind: 'oversized-1m', reason: 'oversized', build: (v) => ({ value: json({ ...v, pad: 'y'.repeat(1_040_000) }) }) },
  // Bytes Nest's own parser would rewrite: a JSON key, JSON / binary / repeated header values.
  {
    kind: 'json-key-and-headers',
    reason: 'not-json',
    build: (_v, tag, n) => ({
      key: json({ marker: tag, n }),
      value: Buffer.from('not json either'),
      headers: {
        'x-json': '{"a":[1,2]}',
        'x-binary': Buffer.from([0x00, 0xff, 0xfe, 0x01]),
        'x-repeated': ['one', 'two'],
      },
    }),
  },
  {
    kind: 'binary-key',
    reason: 'not-json',
    build: (_v, tag, n) => ({
      key: Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(`${tag}-${n}`)]),
      value: Buffer.from([0xc3, 0x28, 0xa0]),
    }),
  },
];

const asBuffer = (v: Buffer | string | null | undefined): Buffer | null => (v == null ? null : Buffer.from(v));

/**
 * Fault 5 — poison records of every kind (13 kinds, twice each) interleaved with 60 valid events,
 * produced straight to `message.created`. Each poison record must land in `message.created.dlq`
 * with a `dlq-reason` and its original key, value and headers byte for byte; every valid event is
 * stored; and the consumer group's lag on `message.created` returns to 0 (nothing stalls). The
 * group is the test's own (see `isolatedGroup`); it runs the same code as group `notifications`.
 */
describe('fault: poison records among valid events', () => {
  const VALID = 60;
  const f = faultFixture('poison');
  const { uri } = f;

  it(
    'dead-letters every poison record with its original bytes, stores every valid one, lag back to 0',
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await f.cast('poison', 10);
        const tag = cast.tag;
        await startApp('notifications', { mongoUri: uri, env: f.group.env });

        const expected: Expected[] = [];
        const poison: Array<{ kind: PoisonKind; message: Message }> = [];
        const outgoing: Message[] = [];
        /** The next poison record, of the next kind in turn, built from valid event number `n`. */
        const addPoison = (n: number): void => {
          const kind = KINDS[poison.length % KINDS.length];
          const valid = JSON.parse(messageCreatedRecord(cast, n).record.value) as Record<string, any>;
          const built = kind.build(valid, tag, poison.length);
          const message: Message = {
            key: `${tag}-${kind.kind}-${poison.length}`,
            ...built,
            headers: { ...built.headers, [MARKER_HEADER]: tag },
          };
          poison.push({ kind, message });
          outgoing.push(message);
        };
        for (let i = 0; i < VALID; i++) {
          const { expected: e, record } = messageCreatedRecord(cast, i);
          expected.push(e);
          outgoing.push(record);
          if (i % 5 === 2 && poison.length < KINDS.length * 2) addPoison(1000 + i);
        }
        while (poison.length < KINDS.length * 2) addPoison(2000 + poison.length);
        expect(poison.length).toBeGreaterThanOrEqual(20);
        expect(Limits.maxEventBytes).toBeLessThan(1024 * 1024);

        const producer = await testProducer();
        try {
          // One record per request: the 1 MiB one must not share a batch with anything.
          for (const m of outgoing) await producer.send({ topic: Topics.MessageCreated, acks: -1, messages: [m] });
        } finally {
          await producer.disconnect();
        }

        const count = await awaitNotifications(uri, expected, { timeoutMs: 120_000 });
        let dlq: ScannedRecord[] = [];
        // Only this test's group: another group on message.created (e.g. a messages app's `conversations`
        // projection) dead-letters the same poison records under its own dlq-consumer-group.
        const ofThisGroup = async () =>
          (await dlqRecordsOf(Topics.MessageCreatedDlq, f.dlqFrom, tag)).filter(
            (r) => String(r.headers[DlqHeaders.consumerGroup]) === f.group.groupId,
          );
        await waitFor(
          async () => (dlq = await ofThisGroup()).length,
          (n) => n >= poison.length,
          {
            timeoutMs: 60_000,
            intervalMs: 2000,
            what: `${poison.length} DLQ records`,
          },
        ).catch(() => undefined);
        const lag = await waitFor(
          () => groupLag(f.group.groupId, Topics.MessageCreated),
          (n) => n === 0,
          { timeoutMs: 60_000, intervalMs: 1000, what: 'lag 0' },
        ).catch(() => groupLag(f.group.groupId, Topics.MessageCreated));

        // Match each poison record to its DLQ copy by key bytes, then compare bytes and headers.
        const problems: string[] = [];
        for (const { kind, message } of poison) {
          const key = asBuffer(message.key as Buffer | string);
          const copies = dlq.filter((r) => (r.key === null ? key === null : key !== null && r.key.equals(key)));
          if (copies.length !== 1) {
            problems.push(`${kind.kind}: ${copies.length} DLQ copies`);
            continue;
          }
          const copy = copies[0];
          const value = asBuffer(message.value as Buffer | string | null);
          if (!(value === null ? copy.value === null : copy.value !== null && copy.value.equals(value)))
            problems.push(`${kind.kind}: value bytes differ`);
          if (String(copy.headers[DlqHeaders.reason]) !== kind.reason)
            problems.push(`${kind.kind}: reason ${String(copy.headers[DlqHeaders.reason])}, expected ${kind.reason}`);
          for (const [h, v] of Object.entries(message.headers ?? {})) {
            const got = copy.headers[h];
            const same = Array.isArray(v)
              ? Array.isArray(got) &&
                got.length === v.length &&
                v.every((x, i) => Buffer.from(got[i]).equals(Buffer.from(x)))
              : got !== undefined && !Array.isArray(got) && Buffer.from(got).equals(Buffer.from(v as Buffer | string));
            if (!same) problems.push(`${kind.kind}: header ${h} differs`);
          }
          for (const h of [
            DlqHeaders.error,
            DlqHeaders.sourceTopic,
            DlqHeaders.sourcePartition,
            DlqHeaders.sourceOffset,
          ]) {
            if (copy.headers[h] === undefined) problems.push(`${kind.kind}: no ${h} header`);
          }
        }

        f.report(t0, {
          fault: 'poison',
          sent: VALID + poison.length,
          expected: 2 * VALID,
          count,
          dlq: dlq.length,
          details: { poison: poison.length, kinds: KINDS.length, lag, byteMismatches: problems.length },
        });
        expect(problems).toEqual([]);
        expect(dlq).toHaveLength(poison.length);
        expect(count).toEqual({ stored: 2 * VALID, delivered: 2 * VALID, lost: 0, duplicated: 0, unexpected: 0 });
        expect(lag).toBe(0);
      }),
    300_000,
  );
});
