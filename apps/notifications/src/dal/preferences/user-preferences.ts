import { ALL_NOTIFICATION_TYPES, NotificationType, NotificationTypes } from '@herald/contracts';
import { ConversationMute } from './preference.schema';

/** What the preferences say about one message for one recipient. */
export type Delivery = { notify: false } | { notify: true; type: NotificationType };

/**
 * One user's preferences as the consumer and the API read them (pure; the defaults for a user who
 * never set any: nothing muted, every type on). The rules of issue #15:
 * - a conversation muted at the message's time (`until` after `createdAt`, or no `until`) or a
 *   disabled `message.created` gives no notification;
 * - a mention gives a `message.mentioned` notification through a mute, unless that type is
 *   disabled; then the message counts as a plain one (muted or `message.created` off: nothing).
 *
 * Times are the message's `createdAt`, not the clock of the consumer: a message sent while muted
 * stays muted when it is consumed late (catch-up), and a redelivery decides the same.
 */
export class UserPreferences {
  private readonly mutes: ReadonlyMap<string, Date | null>;
  private readonly disabled: ReadonlySet<string>;

  constructor(mutes: readonly ConversationMute[] = [], disabledTypes: readonly string[] = []) {
    this.mutes = new Map(mutes.map((m) => [m.conversationId, m.until ? new Date(m.until) : null]));
    this.disabled = new Set(disabledTypes);
  }

  /** The defaults (no document stored). */
  static readonly none = new UserPreferences();

  /** Whether `conversationId` is muted at `at`. */
  isMuted(conversationId: string, at: Date): boolean {
    if (!this.mutes.has(conversationId)) return false;
    const until = this.mutes.get(conversationId);
    return !until || at.getTime() < until.getTime();
  }

  isEnabled(type: string): boolean {
    return !this.disabled.has(type);
  }

  /** The notification (if any) a message of `conversationId` created at `at` gives this user. */
  deliver(conversationId: string, at: Date, mentioned: boolean): Delivery {
    if (mentioned && this.isEnabled(NotificationTypes.MessageMentioned))
      return { notify: true, type: NotificationTypes.MessageMentioned };
    if (this.isMuted(conversationId, at) || !this.isEnabled(NotificationTypes.MessageCreated)) return { notify: false };
    return { notify: true, type: NotificationTypes.MessageCreated };
  }

  /** The API view: muted conversations (expired mutes left out) and every type with its state. */
  view(now: Date): {
    conversations: Array<{ conversationId: string; muted: true; until: Date | null }>;
    types: Array<{ type: NotificationType; enabled: boolean }>;
  } {
    return {
      conversations: [...this.mutes]
        .filter(([id]) => this.isMuted(id, now))
        .map(([conversationId, until]) => ({ conversationId, muted: true as const, until })),
      types: ALL_NOTIFICATION_TYPES.map((type) => ({ type, enabled: this.isEnabled(type) })),
    };
  }
}
