import { InboxService } from '../inbox/inbox.service';
import { Patterns } from '@herald/contracts';
import { PushEvent } from './push-hub';

/**
 * What a client gets first when it connects (SSE stream or socket): the notifications stored after
 * `resumeAfter` (up to 100, oldest first; see `InboxService.since`) when it is a notification id,
 * then the user's unread count. Anything else in `resumeAfter` is ignored (a fresh start).
 * @throws the inbox's database errors (the caller closes the connection; the client retries)
 */
export async function readCatchUp(inbox: InboxService, userId: string, resumeAfter: unknown): Promise<PushEvent[]> {
  const events: PushEvent[] = [];
  if (typeof resumeAfter === 'string' && Patterns.objectId.test(resumeAfter)) {
    for (const n of await inbox.since(userId, resumeAfter))
      events.push({ event: 'notification.created', data: n, id: n.id });
  }
  events.push({ event: 'unread-count.changed', data: await inbox.count(userId, { read: false }) });
  return events;
}
