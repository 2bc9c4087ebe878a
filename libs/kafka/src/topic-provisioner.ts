import { Kafka } from 'kafkajs';
import { ALL_TOPICS } from '@herald/contracts';
import { AppConfig } from '@herald/config';
import { kafkaClientConfig } from './kafka-client.config';

/**
 * Creates Herald's topics ({@link ALL_TOPICS}) that do not exist yet, with
 * `KAFKA_TOPIC_PARTITIONS` partitions and the broker's default replication factor
 * (Kafka Admin API `CreateTopics`; existing topics are left untouched).
 *
 * @returns the names of the topics it created (empty when all existed)
 * @throws KafkaJSError when the broker cannot be reached within the client's retries
 */
export async function ensureTopics(config: AppConfig): Promise<string[]> {
  const admin = new Kafka(kafkaClientConfig(config, `${config.env.KAFKA_CLIENT_ID}-admin`)).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = ALL_TOPICS.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: config.env.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: -1,
        })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
