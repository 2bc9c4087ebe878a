import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ALL_TOPICS } from '@herald/contracts';
import { loadConfig, SettingsNamespace } from '@herald/config';
import { messagesSettings } from '../../apps/messages/src/messages.settings';
import { notificationsSettings } from '../../apps/notifications/src/notifications.settings';

/**
 * docker-compose.yml against what the apps actually read (the shared variables of
 * libs/config/src/environment.ts, and each app's own settings class): every variable an app needs
 * in a container is set on its service, every variable compose sets on a service is one that app
 * reads (no typo, no other app's variable silently ignored), and the values pass the app's own
 * validation. Pure file checks: no Docker engine needed.
 */

const ROOT = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target: number; published: string | number }>;
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test: string | string[] };
  volumes?: string[];
  restart?: string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose variable interpolation with an empty shell: `${X:-d}` / `${X-d}` → d, `${X}` → '', `$$` → `$`. */
export function interpolate(value: string, vars: Record<string, string> = {}): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$\$/g,
    (match, name?: string, op?: string, dflt?: string) => {
      if (match === '$$') return '$';
      const set = name !== undefined ? vars[name] : undefined;
      if (op === ':-') return set ? set : (dflt ?? '');
      if (op === '-') return set !== undefined ? set : (dflt ?? '');
      return set ?? '';
    },
  );
}

/** A service's environment as strings, interpolated with defaults. */
function envOf(service: ComposeService): Record<string, string> {
  const raw = service.environment ?? {};
  const entries = Array.isArray(raw)
    ? raw.map((line) => {
        const i = line.indexOf('=');
        return [i < 0 ? line : line.slice(0, i), i < 0 ? '' : line.slice(i + 1)] as const;
      })
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)] as const);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v)]));
}

/**
 * The `UPPER_SNAKE` properties of `class <className>` (default `Environment`), read from its source text, with
 * whether each has a default (`= ...`) and whether it is `@IsOptional()`.
 */
export function environmentVariables(
  source: string,
  className = 'Environment',
): Map<string, { hasDefault: boolean; optional: boolean }> {
  const start = source.search(new RegExp(`export (abstract )?class ${className}\\b`));
  if (start < 0) throw new Error(`class ${className} not found`);
  const body = source.slice(start, source.indexOf('\n}', start));
  const vars = new Map<string, { hasDefault: boolean; optional: boolean }>();
  let decorators: string[] = [];
  for (const line of body.split('\n')) {
    const decorator = /^ {2}@(\w+)/.exec(line);
    if (decorator) decorators.push(decorator[1]);
    const prop = /^ {2}([A-Z][A-Z0-9_]*)([?!])?\s*(:[^=;]*)?(=)?/.exec(line);
    if (prop) {
      vars.set(prop[1], { hasDefault: prop[4] === '=', optional: decorators.includes('IsOptional') });
      decorators = [];
    }
  }
  return vars;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
// Environment extends SecurityEnvironment (CORS, JWKS, TLS...): both declare variables the apps read.
const shared = new Map([
  ...environmentVariables(read('libs/config/src/environment.ts')),
  ...environmentVariables(read('libs/config/src/security-environment.ts'), 'SecurityEnvironment'),
]);

/** App services: the port variable each listens on, and its settings namespace (class, source file). */
const APP_SERVICES: Record<string, { portVar: string; ns: SettingsNamespace<object>; source: string }> = {
  messages: { portVar: 'MESSAGES_PORT', ns: messagesSettings, source: 'apps/messages/src/messages.settings.ts' },
  notifications: {
    portVar: 'NOTIFICATIONS_PORT',
    ns: notificationsSettings,
    source: 'apps/notifications/src/notifications.settings.ts',
  },
};

/** Every variable one app reads: the shared ones and its own settings class's. */
const variablesOf = (app: string) => {
  const { ns, source } = APP_SERVICES[app];
  return new Map([...shared, ...environmentVariables(read(source), ns.schema.name)]);
};

/**
 * Variables whose in-code default is wrong inside a container (it names 127.0.0.1 or assumes a
 * developer machine), so compose must set them, on top of those without any default.
 */
const CONTAINER_REQUIRED = ['KAFKA_BROKERS', 'MONGODB_URI', 'NODE_ENV', 'JWT_SECRET'];

describe('settings source parsing (the source of the checks below)', () => {
  it('finds the variables the apps read, each app its own', () => {
    for (const name of [...CONTAINER_REQUIRED, 'LOG_LEVEL']) expect(shared.has(name)).toBe(true);
    expect(shared.get('JWT_SECRET')).toEqual({ hasDefault: false, optional: false });
    expect(shared.get('KAFKA_BROKERS')?.hasDefault).toBe(true);
    expect(variablesOf('messages').has('INGEST_BATCH_MAX')).toBe(true);
    expect(variablesOf('messages').has('DIGEST_WINDOW_MS')).toBe(false);
    expect(variablesOf('notifications').get('DIGEST_WINDOW_MS')?.hasDefault).toBe(true);
    expect(variablesOf('notifications').has('MESSAGES_PORT')).toBe(false);
  });

  it('interpolates like compose', () => {
    expect(interpolate('${A:-x}-${B-y}-${C}-$$D', { A: '' })).toBe('x-y--$D');
    expect(interpolate('${A:-x}', { A: 'set' })).toBe('set');
  });
});

describe.each(Object.entries(APP_SERVICES))('docker-compose service %s', (name, { portVar, ns }) => {
  const service = compose.services[name];
  const env = service ? envOf(service) : {};
  const environment = variablesOf(name);

  it('exists and is built from this repo with its APP build arg', () => {
    expect(service).toBeDefined();
    expect(service.build?.args?.APP).toBe(name);
  });

  it('sets every variable the app needs in a container', () => {
    const noDefault = [...environment].filter(([, v]) => !v.hasDefault && !v.optional).map(([k]) => k);
    for (const variable of new Set([...noDefault, ...CONTAINER_REQUIRED, portVar])) {
      expect({ variable, value: env[variable] }).toEqual({ variable, value: expect.stringMatching(/\S/) });
    }
  });

  it("sets only variables this app reads (no typos, no other app's variables)", () => {
    const unknown = Object.keys(env).filter((k) => !environment.has(k));
    expect(unknown).toEqual([]);
  });

  it('passes the app configuration validation with its compose defaults', () => {
    // Only the service's own variables: unset ones must not come from the test runner's environment.
    const unset = Object.fromEntries(Object.keys(process.env).map((k) => [k, undefined]));
    const config = loadConfig({ ...unset, ...env }, [ns]);
    expect(config.env.NODE_ENV).toBe('development');
    expect(config.env.KAFKA_CREATE_TOPICS).toBe(false);
    expect(config.settings(ns)).toMatchObject({ [portVar]: Number(env[portVar]) });
  });

  it('points at the kafka and mongo services on their in-network ports', () => {
    expect(env.KAFKA_BROKERS).toBe('kafka:9092');
    expect(env.MONGODB_URI).toMatch(/^mongodb:\/\/mongo:27017\/\w+/);
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['kafka', 'mongo']));
  });

  it('publishes its port and probes /health/ready', () => {
    const port = env[portVar];
    expect((service.ports ?? []).map(String).map((p) => interpolate(p))).toContain(
      `${name === 'messages' ? 3000 : 3001}:${port}`,
    );
    expect(JSON.stringify(service.healthcheck?.test)).toContain('docker-healthcheck.js');
  });

  it('starts after the topics exist and MongoDB answers', () => {
    expect(service.depends_on).toMatchObject({
      'kafka-init': { condition: 'service_completed_successfully' },
      mongo: { condition: 'service_healthy' },
    });
  });
});

describe('docker-compose infrastructure', () => {
  it('creates exactly the topics of libs/contracts/src/topics.ts, partitions configurable (default 3)', () => {
    const env = envOf(compose.services['kafka-init']);
    expect(env.TOPICS.split(/\s+/).sort()).toEqual([...ALL_TOPICS].sort());
    expect(env.PARTITIONS).toBe('3');
    expect(compose.services['kafka-init'].environment).toMatchObject({ PARTITIONS: '${KAFKA_TOPIC_PARTITIONS:-3}' });
  });

  it('runs Kafka 4.1.1 in KRaft mode with a container listener (kafka:9092) and a host one (localhost:9094)', () => {
    const kafka = compose.services.kafka;
    const env = envOf(kafka);
    expect(kafka.image).toBe('apache/kafka:4.1.1');
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_ADVERTISED_LISTENERS).toContain('//kafka:9092');
    expect(env.KAFKA_ADVERTISED_LISTENERS).toContain('//localhost:9094');
    expect((kafka.ports ?? []).map(String).map((p) => interpolate(p))).toContain('9094:9094');
  });

  it('gives every long-running service a healthcheck and MongoDB a volume', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.restart === 'no') continue;
      expect({ name, healthcheck: !!service.healthcheck }).toEqual({ name, healthcheck: true });
    }
    expect(compose.services.mongo.volumes?.some((v) => v.endsWith(':/data/db'))).toBe(true);
  });

  it('pre-declares the Kafka cluster in Conduktor from conduktor/platform-config.yaml', () => {
    const console = compose.services['conduktor-console'];
    const env = envOf(console);
    const mount = (console.volumes ?? []).find((v) => v.startsWith('./conduktor/'));
    expect(mount).toBeDefined();
    const [hostPath, containerPath] = (mount as string).split(':');
    expect(env.CDK_IN_CONF_FILE).toBe(containerPath);
    const platform = parse(read(hostPath)) as { clusters: Array<Record<string, string>> };
    expect(platform.clusters[0].bootstrapservers).toBe('kafka:9092');
    expect(env.CDK_ADMIN_EMAIL).toBe('admin@herald.local');
    // Console's password rule: 8+ chars, upper, lower, digit, symbol.
    expect(env.CDK_ADMIN_PASSWORD).toMatch(/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^A-Za-z0-9]).{8,}$/);
    expect(JSON.stringify(console.healthcheck?.test)).toContain('/platform/api/modules/health/live');
  });

  it('runs the entry point that package.json starts', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    // CMD ["/bin/sh", "-c", "exec node \"dist/apps/${APP}/apps/${APP}/src/main.js\""]
    const cmd = /^CMD .*exec node \\"([^"\\]+)\\"/m.exec(read('Dockerfile'))?.[1];
    expect(cmd).toBeDefined();
    for (const app of Object.keys(APP_SERVICES)) {
      expect(pkg.scripts[`start:${app}`]).toBe(`node ${(cmd as string).replace(/\$\{APP\}/g, app)}`);
    }
  });
});
