import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { AppConfig } from '@herald/config';
import { kafkaClientConfig } from '@herald/kafka';

/** Longest a readiness probe waits for Kafka, in ms. */
export const KAFKA_PROBE_TIMEOUT_MS = 2000;

/**
 * Readiness of the Kafka cluster: an admin `DescribeCluster` (metadata) answered within
 * {@link KAFKA_PROBE_TIMEOUT_MS}. One admin connection is kept between probes; after a failure it
 * is dropped and the next probe reconnects. No retries: the probe itself is retried by its caller.
 */
@Injectable()
export class KafkaBrokerHealthIndicator implements OnApplicationShutdown {
  private admin?: Admin;
  private connecting?: Promise<Admin>;

  constructor(
    private readonly config: AppConfig,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'kafka', timeoutMs = KAFKA_PROBE_TIMEOUT_MS): Promise<HealthIndicatorResult> {
    const session = this.health.check(key);
    try {
      const cluster = await withTimeout(
        this.connected().then((a) => a.describeCluster()),
        timeoutMs,
        'Kafka',
      );
      return session.up({ brokers: cluster.brokers.length, controller: cluster.controller });
    } catch (err) {
      await this.drop();
      return session.down({ message: (err as Error).message });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drop();
  }

  private connected(): Promise<Admin> {
    if (!this.connecting) {
      const base = kafkaClientConfig(this.config, `${this.config.env.KAFKA_CLIENT_ID}-health`);
      const admin = new Kafka({
        ...base,
        connectionTimeout: 1000,
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      }).admin();
      this.connecting = admin.connect().then(() => (this.admin = admin));
      this.connecting.catch(() => undefined);
      this.admin = admin;
    }
    return this.connecting;
  }

  private async drop(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}

/** Rejects with "`what` did not answer within `ms` ms" when `p` takes longer. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
