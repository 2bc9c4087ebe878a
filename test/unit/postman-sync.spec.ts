import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Postman collection covers the API: every operation (method + path template) of the committed
 * OpenAPI documents (docs/openapi/<app>.json, kept current by `npm run openapi:check`) has at least
 * one request in the collection, sent to that app's base URL variable; every request asserts
 * something (`pm.test`).
 */

const ROOT = join(__dirname, '..', '..');
const OPENAPI_DIR = join(ROOT, 'docs', 'openapi');
const COLLECTION = join(ROOT, 'postman', 'herald.postman_collection.json');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

interface PostmanUrl {
  raw: string;
  host?: string[];
  path?: string[];
}
interface PostmanItem {
  name: string;
  item?: PostmanItem[];
  event?: Array<{ listen: string; script: { exec: string[] | string } }>;
  request?: { method: string; url: PostmanUrl | string };
}

/** Base URL variable of each app's requests. */
const BASE_VAR: Record<string, string> = { messages: 'messagesUrl', notifications: 'notificationsUrl' };

/** Every request of a collection (folders flattened), with its folder path. */
export function requestsOf(items: PostmanItem[], folder = ''): Array<PostmanItem & { folder: string }> {
  return items.flatMap((it) =>
    it.item ? requestsOf(it.item, folder ? `${folder}/${it.name}` : it.name) : it.request ? [{ ...it, folder }] : [],
  );
}

/**
 * `{ base, segments }` of a request URL: `{{messagesUrl}}/api/v1/messages/{{messageId}}?x=1` →
 * messagesUrl, [api, v1, messages, {{messageId}}].
 */
export function splitUrl(url: PostmanUrl | string): { base: string; segments: string[] } {
  const raw = typeof url === 'string' ? url : url.raw;
  const m = /^\{\{(\w+)\}\}(\/[^?#]*)?/.exec(raw);
  if (!m) return { base: '', segments: [] };
  return { base: m[1], segments: (m[2] ?? '').split('/').filter(Boolean) };
}

/** True when request path segments fit an OpenAPI path template (`{param}` matches one segment). */
export function matchesTemplate(template: string, segments: string[]): boolean {
  const parts = template.split('/').filter(Boolean);
  return parts.length === segments.length && parts.every((p, i) => /^\{[^}]+\}$/.test(p) || p === segments[i]);
}

const collection = JSON.parse(readFileSync(COLLECTION, 'utf8')) as { info: { schema: string }; item: PostmanItem[] };
const requests = requestsOf(collection.item);
const documents = readdirSync(OPENAPI_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({
    app: f.replace(/\.json$/, ''),
    doc: JSON.parse(readFileSync(join(OPENAPI_DIR, f), 'utf8')) as { paths: Record<string, object> },
  }));
const operations = documents.flatMap(({ app, doc }) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => HTTP_METHODS.includes(m))
      .map((m) => ({ app, method: m.toUpperCase(), path })),
  ),
);

describe('postman collection ↔ OpenAPI', () => {
  it('is a v2.1 collection with both apps documented', () => {
    expect(collection.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    expect(documents.map((d) => d.app).sort()).toEqual(Object.keys(BASE_VAR).sort());
    expect(operations.length).toBeGreaterThan(10);
  });

  it('matches path templates segment by segment', () => {
    expect(matchesTemplate('/api/v1/messages/{id}', ['api', 'v1', 'messages', '{{messageId}}'])).toBe(true);
    expect(matchesTemplate('/api/v1/messages/{id}', ['api', 'v1', 'messages'])).toBe(false);
    expect(matchesTemplate('/api/v1/notifications/count', ['api', 'v1', 'notifications', '{{id}}'])).toBe(false);
    expect(splitUrl('{{notificationsUrl}}/api/v1/notifications?limit=1')).toEqual({
      base: 'notificationsUrl',
      segments: ['api', 'v1', 'notifications'],
    });
  });

  it.each(operations.map((o) => [`${o.app}: ${o.method} ${o.path}`, o] as const))('has a request for %s', (_, op) => {
    const covering = requests.filter((r) => {
      const { base, segments } = splitUrl(r.request!.url);
      return (
        r.request!.method.toUpperCase() === op.method && base === BASE_VAR[op.app] && matchesTemplate(op.path, segments)
      );
    });
    expect(covering.map((r) => r.name)).not.toEqual([]);
  });

  it('asserts something in every request', () => {
    const silent = requests
      .filter(
        (r) =>
          !(r.event ?? []).some((e) => e.listen === 'test' && [e.script.exec].flat().join('\n').includes('pm.test(')),
      )
      .map((r) => `${r.folder}/${r.name}`);
    expect(silent).toEqual([]);
  });

  it('sends every request to a known base URL variable', () => {
    const unknown = requests
      .map((r) => splitUrl(r.request!.url).base)
      .filter((b) => !Object.values(BASE_VAR).includes(b));
    expect(unknown).toEqual([]);
  });
});
