import path from 'node:path';
import { Backend } from './backend';
import { ROOT } from './procs';

/** Where the benchmark's servers are, and how to release them. */
export interface BenchServers {
  KAFKA_BROKERS: string;
  /** Server part only (`mongodb://host:port`); each run appends its own fresh database. */
  mongoBase: string;
  /** `bench-stack` (own broker + FerretDB on other ports) or `external` (KAFKA_BROKERS/MONGODB_URI). */
  kind: 'bench-stack' | 'external';
  /** Storage backend FerretDB runs on now (`external` for external servers). */
  backend: Backend;
  /**
   * Restarts the bench stack's MongoDB-wire server on another storage backend (env
   * STACK_MONGO_BACKEND for stack/lib), Kafka left running; no-op when it already runs on it.
   * @throws Error for external servers asked for another backend than `external`
   */
  useBackend(backend: Backend): Promise<void>;
  /** Stops the servers this call started (unless kept); no-op for external servers. */
  release(keep: boolean): Promise<void>;
}

interface StackLib {
  up(): Promise<{ started: { kafka: boolean; mongo: boolean }; env: { KAFKA_BROKERS: string; MONGODB_URI: string } }>;
  down(o: { kafka?: boolean; mongo?: boolean }): Promise<void>;
}

/**
 * Backend the stack starts FerretDB on: stack/lib/config's `mongoBackend()` (env
 * STACK_MONGO_BACKEND, else the stack's default) when it has one, else `sqlite` (older stacks).
 */
function stackBackend(): Backend {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(path.join(ROOT, 'stack', 'lib', 'config')) as { mongoBackend?: () => Backend };
  return typeof config.mongoBackend === 'function' ? config.mongoBackend() : 'sqlite';
}

/** `mongodb://host:port/db?x` → `mongodb://host:port` (database and options dropped). */
export function mongoServerPart(uri: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)/.exec(uri);
  if (!m) throw new Error(`MONGODB_URI is not a mongodb:// URI: ${uri}`);
  return m[1];
}

/**
 * With env KAFKA_BROKERS and MONGODB_URI both set: those servers. Otherwise a second local stack
 * just for the benchmark, via stack/lib: state in `.stack/bench` (env BENCH_STACK_DIR), Kafka on
 * 19092/19093, FerretDB on 28017 and its PostgreSQL on 15433 (env BENCH_KAFKA_PORT,
 * BENCH_KAFKA_CONTROLLER_PORT, BENCH_MONGO_PORT, BENCH_POSTGRES_PORT), reusing the main stack's downloaded jars and built binary
 * (HERALD_STACK_CACHE_DIR). Its topic `message.created` and group `notifications` are the
 * benchmark's own, so pre-loading and consuming never disturb tests on the shared stack.
 */
export async function benchServers(): Promise<BenchServers> {
  const { KAFKA_BROKERS, MONGODB_URI } = process.env;
  if (KAFKA_BROKERS && MONGODB_URI) {
    return {
      KAFKA_BROKERS,
      mongoBase: mongoServerPart(MONGODB_URI),
      kind: 'external',
      backend: 'external',
      release: async () => undefined,
      useBackend: async (b: Backend) => {
        if (b !== 'external')
          throw new Error(
            `external servers (KAFKA_BROKERS/MONGODB_URI): cannot switch to backend ${b}; use --backends external`,
          );
      },
    };
  }
  Object.assign(process.env, {
    HERALD_STACK_DIR: path.resolve(ROOT, process.env.BENCH_STACK_DIR || path.join('.stack', 'bench')),
    HERALD_STACK_CACHE_DIR: process.env.HERALD_STACK_CACHE_DIR || path.join(ROOT, '.stack'),
    STACK_KAFKA_PORT: process.env.BENCH_KAFKA_PORT || '19092',
    STACK_KAFKA_CONTROLLER_PORT: process.env.BENCH_KAFKA_CONTROLLER_PORT || '19093',
    STACK_MONGO_PORT: process.env.BENCH_MONGO_PORT || '28017',
    STACK_POSTGRES_PORT: process.env.BENCH_POSTGRES_PORT || '15433',
  });
  delete process.env.KAFKA_BROKERS;
  delete process.env.MONGODB_URI;
  // stack/lib reads HERALD_STACK_DIR when it is first loaded: require it only now.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stack = require(path.join(ROOT, 'stack', 'lib')) as StackLib;
  const { started, env } = await stack.up();
  const servers: BenchServers = {
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    mongoBase: mongoServerPart(env.MONGODB_URI),
    kind: 'bench-stack',
    backend: stackBackend(),
    useBackend: async (b: Backend) => {
      if (b === servers.backend) return;
      if (b === 'external') throw new Error('backend external needs KAFKA_BROKERS and MONGODB_URI');
      await stack.down({ kafka: false, mongo: true });
      process.env.STACK_MONGO_BACKEND = b;
      const again = await stack.up();
      servers.mongoBase = mongoServerPart(again.env.MONGODB_URI);
      servers.backend = b;
      started.mongo = true;
    },
    release: async (keep: boolean) => {
      if (keep || (!started.kafka && !started.mongo)) return;
      await stack.down({ kafka: started.kafka, mongo: started.mongo });
    },
  };
  return servers;
}
