import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { EventEnvelope } from './envelope';
import { Limits } from './limits';

/** Outcome of {@link decodeEvent}: the validated event, or why the record is poison. */
export type DecodeResult<T> = { ok: true; event: T } | { ok: false; reason: DecodeFailure; message: string };

/** Why a record was rejected; stable strings, written into the DLQ headers. */
export type DecodeFailure = 'empty' | 'oversized' | 'not-json' | 'not-an-object' | 'invalid-schema';

type EventClass<T> = {
  new (): T;
  readonly type: string;
  readonly version: number;
  /** Brings older versions to the class's shape before validation (the class's one upcast). */
  readonly upcast?: (plain: Record<string, unknown>) => Record<string, unknown>;
};

/**
 * Decodes and validates one Kafka record value against a versioned event class.
 *
 * Pure and synchronous: no I/O, never throws. A value is rejected when it is null/empty, larger
 * than {@link Limits.maxEventBytes} bytes, not JSON, not a JSON object, or fails the class-validator
 * rules of `cls` (a `version` it does not accept included). Before validation an older version is
 * brought to the current shape by `cls.upcast` when the class has one (one place per event type,
 * e.g. `upcastMessageCreated`). Unknown properties are stripped (whitelist), which is what lets a
 * consumer read a later, additive version of its event (docs/events.md).
 *
 * @param cls   the event class, e.g. `MessageCreatedEvent`
 * @param value the record value as received (Buffer with `keepBinary`, or string)
 */
export function decodeEvent<T extends EventEnvelope<unknown>>(
  cls: EventClass<T>,
  value: Buffer | string | null | undefined,
): DecodeResult<T> {
  if (value === null || value === undefined || value.length === 0) {
    return { ok: false, reason: 'empty', message: 'record value is empty (null or 0 bytes)' };
  }
  const bytes = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  if (bytes > Limits.maxEventBytes) {
    return { ok: false, reason: 'oversized', message: `record value is ${bytes} bytes, limit ${Limits.maxEventBytes}` };
  }
  let plain: unknown;
  try {
    plain = JSON.parse(value.toString());
  } catch (err) {
    return { ok: false, reason: 'not-json', message: `record value is not JSON: ${(err as Error).message}` };
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return { ok: false, reason: 'not-an-object', message: 'record value is not a JSON object' };
  }
  const event = plainToInstance(cls, cls.upcast ? cls.upcast(plain as Record<string, unknown>) : plain);
  const errors = validateSync(event, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    return { ok: false, reason: 'invalid-schema', message: describeErrors(errors).join('; ') };
  }
  return { ok: true, event };
}

/** Flattens nested class-validator errors into `path: constraint message` strings. */
export function describeErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`);
    return [...own, ...describeErrors(e.children ?? [], path)];
  });
}
