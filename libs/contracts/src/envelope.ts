import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDate, IsUUID } from 'class-validator';

/**
 * Fields every Herald event carries around its payload (`data`).
 *
 * - `eventId`: UUID v4, fixed per business fact; a republish of the same fact carries the same id,
 *   so consumers dedupe on it (effectively-once storage).
 * - `type`: the event type, equal to the topic it is published on (e.g. `message.created`).
 * - `version`: integer schema version of `data`; consumers reject versions they do not know.
 * - `occurredAt`: when the fact happened (ISO-8601 on the wire, a `Date` after validation).
 */
export abstract class EventEnvelope<TData> {
  @IsUUID('4')
  eventId!: string;

  /** Declared (with an exact-value rule) by each event class. */
  abstract type: string;

  /** Declared (with an exact-value rule) by each event class. */
  abstract version: number;

  @Type(() => Date)
  @IsDate()
  occurredAt!: Date;

  abstract data: TData;
}
