import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { BatchWrites, BatchWritesOptions } from './batch-writes';

/**
 * Base of a `@BatchEventPattern` consumer controller that writes its batches to a database: its
 * logger, its {@link BatchWrites} (decode + DLQ, the write retried in place, the group-by-group
 * fallback) and the shutdown flag that stops retries, so a batch caught in a retry at shutdown is
 * left uncommitted and delivered again (Nest calls `beforeApplicationShutdown` before the Kafka
 * server closes).
 */
export abstract class BatchConsumer implements BeforeApplicationShutdown {
  protected readonly logger: Logger;
  protected readonly batch: BatchWrites;
  private stopping = false;

  /**
   * @param name the logger's context (the subclass's name)
   * @param options the consumer's group, what it writes, its database's error rules and its counter
   */
  protected constructor(name: string, options: Omit<BatchWritesOptions, 'isStopping' | 'logger'>) {
    this.logger = new Logger(name);
    this.batch = new BatchWrites({ ...options, isStopping: () => this.stopping, logger: this.logger });
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }
}
