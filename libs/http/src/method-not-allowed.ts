import type { FastifyInstance } from 'fastify';
import { STATUS_CODES } from 'node:http';

/** A registered route as a matcher: its methods and a regular expression of its URL pattern. */
interface RouteShape {
  pattern: RegExp;
  /** No parameter or wildcard: the resource the path names exactly. */
  static: boolean;
  methods: Set<string>;
}

/** `/api/v1/messages/:id` → `^/api/v1/messages/[^/]+/?$` (find-my-way parameter and wildcard syntax). */
export function routePattern(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

/**
 * Answers `405 Method Not Allowed` with an `Allow` header (RFC 9110 §15.5.6 and §10.2.1) when a
 * request's path exists with other methods, instead of a 404 that says the resource does not exist
 * (or, for `PATCH /notifications/count`, instead of `PATCH /notifications/:id` answering for a
 * resource it does not name).
 * Routes are collected as they are registered (`onRoute`: call this before `init()`), so the
 * answer always matches what the app serves.
 */
export function registerMethodNotAllowed(fastify: FastifyInstance): void {
  const routes = new Map<string, RouteShape>();
  fastify.addHook('onRoute', (route) => {
    const shape = routes.get(route.url) ?? {
      pattern: routePattern(route.url),
      static: !/[:*]/.test(route.url),
      methods: new Set<string>(),
    };
    for (const m of [route.method].flat()) shape.methods.add(String(m).toUpperCase());
    routes.set(route.url, shape);
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    const routed = request.routeOptions.url;
    const parametric = routed !== undefined && /[:*]/.test(routed);
    // Routed OPTIONS requests are CORS preflights answered by @fastify/cors's wildcard route.
    if (!request.is404 && (!parametric || request.method === 'OPTIONS')) return done();
    const path = request.url.split('?')[0];
    // A static route names the resource exactly (`/notifications/count`); a parametric one that also
    // matches (`PATCH /notifications/:id`) is another resource, as in the OpenAPI document.
    const matches = [...routes.values()].filter((r) => r.pattern.test(path));
    const statics = matches.filter((r) => r.static);
    if (!request.is404 && statics.length === 0) return done();
    const allowed = new Set<string>();
    for (const r of statics.length > 0 ? statics : matches) r.methods.forEach((m) => allowed.add(m));
    if (allowed.size === 0 || allowed.has(request.method)) return done();
    void reply
      .code(405)
      .header('Allow', [...allowed].sort().join(', '))
      .send({ statusCode: 405, error: STATUS_CODES[405], message: `${request.method} is not allowed here` });
  });
}
