import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AssignerProtocol } from 'kafkajs';
import request from 'supertest';
import { Topics } from '@herald/contracts';
import { NotificationBroadcastConsumer } from '../../apps/notifications/src/push/notification-broadcast.consumer';
import { testKafka } from './kafka-probe';
import { waitFor } from './wait';

/** A consumer group as the broker describes it. */
export interface GroupView {
  /** Broker state: `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty`, `Dead`. */
  state: string;
  members: number;
  /** Partitions of the topic assigned to some member, sorted. */
  assigned: number[];
  /** Partitions the topic has. */
  partitions: number;
}

/** Describes `groupId` and decodes which partitions of `topic` its members hold. */
export async function describeGroup(groupId: string, topic: string): Promise<GroupView> {
  const admin = testKafka('herald-test-readiness').admin();
  await admin.connect();
  try {
    const [{ groups }, offsets] = await Promise.all([admin.describeGroups([groupId]), admin.fetchTopicOffsets(topic)]);
    const group = groups[0];
    const assigned = (group?.members ?? []).flatMap(
      (m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [],
    );
    return {
      state: group?.state ?? 'Dead',
      members: group?.members.length ?? 0,
      assigned: [...new Set(assigned)].sort((a, b) => a - b),
      partitions: offsets.length,
    };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until `groupId` is `Stable` with exactly `members` members that together hold every
 * partition of `topic` (no rebalance in progress, nothing unassigned).
 * @throws Error with the last {@link GroupView} after `timeoutMs`
 */
export function waitForGroupStable(
  groupId: string,
  topic: string,
  members: number,
  timeoutMs = 90_000,
): Promise<GroupView> {
  return waitFor(
    () => describeGroup(groupId, topic),
    (g) => g.state === 'Stable' && g.members === members && g.assigned.length === g.partitions,
    { timeoutMs, intervalMs: 500, what: `group ${groupId} stable with ${members} member(s) holding all of ${topic}` },
  );
}

/**
 * Waits until notifications apps running in this process can take traffic without losing a push:
 * each answers `GET /health/ready` 200 (MongoDB, Kafka, its `message.created` consumer and its push
 * broadcast consumer joined); group `groupId` is stable with exactly these apps as members, holding
 * every partition of `message.created`; and each app's broadcast group holds every partition of
 * `notification.created`.
 * @param timeoutMs for each of the waits
 */
export async function waitForNotificationsReady(
  groupId: string,
  apps: NestFastifyApplication[],
  timeoutMs = 90_000,
): Promise<void> {
  for (const app of apps) {
    const ready = async () => {
      const r = await request(app.getHttpServer()).get('/health/ready');
      return { status: r.status, body: r.body as unknown };
    };
    await waitFor(ready, (r) => r.status === 200, { timeoutMs, intervalMs: 500, what: 'GET /health/ready 200' });
  }
  await waitForGroupStable(groupId, Topics.MessageCreated, apps.length, timeoutMs);
  for (const app of apps)
    await waitForGroupStable(app.get(NotificationBroadcastConsumer).groupId, Topics.NotificationCreated, 1, timeoutMs);
}
