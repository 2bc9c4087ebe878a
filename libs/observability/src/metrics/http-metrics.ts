import type { FastifyInstance } from 'fastify';
import { HeraldMetrics } from './herald-metrics';

/** Route label of requests no route matched (keeps the label set bounded). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Observes every HTTP response in `herald_http_request_duration_seconds` from a Fastify
 * `onResponse` hook (runs for all outcomes: handled, rejected by a guard, 404, body too large).
 * Call before the app is initialised (hooks apply to routes registered after them).
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: HeraldMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? UNMATCHED_ROUTE;
    metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
