/**
 * The types of notification Herald stores (`type` of a notification, the path of
 * `PUT /api/v1/preferences/types/:type`): the only place they are defined.
 */
export const NotificationTypes = {
  /** A message to the recipient (digest of bursts: later messages of the conversation fold in). */
  MessageCreated: 'message.created',
  /**
   * A message whose body mentions the recipient as `@id` (`message.created` v2 `mentions`); never
   * folded, breaks through a mute.
   */
  MessageMentioned: 'message.mentioned',
} as const;

/** One of the notification types above. */
export type NotificationType = (typeof NotificationTypes)[keyof typeof NotificationTypes];

/** Every notification type, in a fixed order (preferences list them all). */
export const ALL_NOTIFICATION_TYPES: readonly NotificationType[] = Object.values(NotificationTypes);
