import { Injectable } from '@nestjs/common';
import type { HealthIndicatorFunction } from '@nestjs/terminus';

/**
 * Extra readiness checks contributed by an app's own modules (e.g. the notifications app's push
 * module registers its broadcast consumer). `GET /health/ready` runs them after the built-in ones
 * (MongoDB, Kafka, the main consumer); one that reports `down` (or throws) makes the app not ready.
 * Global through {@link HealthModule}: inject it anywhere.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, HealthIndicatorFunction>();

  /**
   * Adds (or replaces) the check named `key`; its result must be keyed by `key` too
   * (terminus' `HealthIndicatorService.check(key)`).
   */
  register(key: string, check: HealthIndicatorFunction): void {
    this.checks.set(key, check);
  }

  /** Removes the check named `key` (a provider that shuts down). */
  unregister(key: string): void {
    this.checks.delete(key);
  }

  /** The registered checks, in registration order. */
  all(): HealthIndicatorFunction[] {
    return [...this.checks.values()];
  }
}
