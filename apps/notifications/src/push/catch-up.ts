import { InboxService } from '../inbox/inbox.service';
import { PushEvent } from './push-hub';

/** A notification id as clients resume with it (MongoDB ObjectId, 24 hex digits). */
const RESUME_ID = /^[a-f0-9]{24}$/i;

/**
 * What a client gets first when it connects (SSE stream or socket): the notifications stored after
 * `resumeAfter` (up to 100, oldest first; see `InboxService.since`) when it is a notification id,
 * then the user's unread count. Anything else in `resumeAfter` is ignored (a fresh start).
 * @throws the inbox's database errors (the caller closes the connection; the client retries)
 */
export async function readCatchUp(inbox: InboxService, userId: string, resumeAfter: unknown): Promise<PushEvent[]> {
  const events: PushEvent[] = [];
  if (typeof resumeAfter === 'string' && RESUME_ID.test(resumeAfter)) {
    for (const n of await inbox.since(userId, resumeAfter)) events.push({ event: 'notification.created', data: n, id: n.id });
  }
  events.push({ event: 'unread-count.changed', data: await inbox.count(userId, { read: false }) });
  return events;
}
