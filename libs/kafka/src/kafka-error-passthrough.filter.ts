import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Exception filter for Kafka event handlers: rethrows whatever the handler threw, unchanged.
 *
 * Nest's default RPC filter replaces any error with `{ status: 'error', message: 'Internal server
 * error' }`, so kafkajs no longer recognises its own errors: a "group is rebalancing" error raised by
 * `heartbeat()` inside a handler would not make the consumer re-join at once, it would go through
 * the generic retry-then-crash path instead. With this filter kafkajs sees the real error (and logs
 * the real message and stack for anything that is not its own). Use with `@UseFilters(new ...)`.
 */
@Catch()
export class KafkaErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
