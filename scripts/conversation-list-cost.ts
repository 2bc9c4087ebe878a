/**
 * Cost of the conversation list at scale, before and after the per-user read model:
 *
 *   MONGODB_URI=mongodb://127.0.0.1:27017/herald npm run -s list:cost -- [conversations] [users]
 *
 * Seeds `conversations` (default 10,000) two-person conversations among `users` (default 1,000)
 * into database `herald_listcost` (dropped first and at the end) through the projection itself
 * (`ConversationProjector`, batches of 500 events), then times, for 30 users, the first page
 * (limit 20) two ways and checks they list the same conversations in the same order:
 * - before: `find({ participants }).sort({ lastMessageAt: -1, _id: -1 }).limit(21)` on `conversations`
 *   (a full scan decoded in Go on FerretDB v1.24 SQLite: only `_id`-only filters are pushed down);
 * - after: `ConversationsService.list` (one `user_conversations` read by `_id`, then the page's
 *   summaries by `_id`).
 * Prints the median and the mean of each, in ms. A measurement, not a test.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { Model, Types } from 'mongoose';
import { MessageCreatedEvent } from '@herald/contracts';
import { ConversationProjector } from '../apps/messages/src/conversations/conversation.projector';
import { Conversation, ConversationSchema } from '../apps/messages/src/conversations/conversation.schema';
import { ConversationsService } from '../apps/messages/src/conversations/conversations.service';
import { UserConversations, UserConversationsSchema } from '../apps/messages/src/conversations/user-conversations.schema';
import { Message, MessageSchema } from '../apps/messages/src/messages/message.schema';

const CONVERSATIONS = Number(process.argv[2] || 10_000);
const USERS = Number(process.argv[3] || 1_000);
const SAMPLES = 30;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const base = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/herald';
  const uri = base.replace(/\/([^/?]*)(\?|$)/, '/herald_listcost$2');
  const conn = await mongoose.createConnection(uri).asPromise();
  await conn.dropDatabase();
  try {
    const conversations = conn.model(Conversation.name, ConversationSchema) as unknown as Model<Conversation>;
    const users = conn.model(UserConversations.name, UserConversationsSchema) as unknown as Model<UserConversations>;
    const messages = conn.model(Message.name, MessageSchema) as unknown as Model<Message>;
    const projector = new ConversationProjector(conversations, users);
    const service = new ConversationsService(conversations, messages, users);
    const user = (k: number) => `cost-u${k % USERS}`;

    const t0 = performance.now();
    for (let start = 0; start < CONVERSATIONS; start += 500) {
      const events: MessageCreatedEvent[] = [];
      for (let k = start; k < Math.min(CONVERSATIONS, start + 500); k++) {
        const createdAt = new Date(Date.UTC(2026, 0, 1) + k * 1000);
        const peer = user(k * 7 + 1) === user(k) ? user(k + 1) : user(k * 7 + 1);
        events.push({
          eventId: randomUUID(),
          type: 'message.created',
          version: 1,
          occurredAt: createdAt,
          data: { messageId: new Types.ObjectId().toHexString(), conversationId: `cost-c${k}`, senderId: user(k), recipientIds: [peer], body: `m${k}`, createdAt },
        });
      }
      await projector.project(events);
    }
    const seedS = (performance.now() - t0) / 1000;

    const before: number[] = [];
    const after: number[] = [];
    let mismatches = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const u = user(i * 31);
      let t = performance.now();
      const old = await conversations.find({ participants: u }).sort({ lastMessageAt: -1, _id: -1 }).limit(21).lean().exec();
      before.push(performance.now() - t);
      t = performance.now();
      const page = await service.list(u, { limit: 20 });
      after.push(performance.now() - t);
      if (old.slice(0, 20).map((c) => c._id).join() !== page.data.map((c) => c.id).join()) mismatches++;
    }
    console.log(
      JSON.stringify({
        conversations: CONVERSATIONS,
        users: USERS,
        seedS: round(seedS),
        beforeMs: { median: round(median(before)), mean: round(mean(before)) },
        afterMs: { median: round(median(after)), mean: round(mean(after)) },
        samples: SAMPLES,
        mismatches,
      }),
    );
  } finally {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
