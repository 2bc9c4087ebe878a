/**
 * Size limits shared by the HTTP API and the event contracts, so a message the API accepts is
 * always an event the consumer accepts.
 */
export const Limits = {
  /** Recipients per message (distinct user ids). */
  maxRecipients: 100,
  /** Message body length in UTF-16 code units (JavaScript string length). */
  bodyMaxLength: 4000,
  /** Length of a user id or conversation id. */
  idMaxLength: 128,
  /** Characters of the body copied into a notification's `preview`. */
  previewLength: 140,
  /** Largest `message.created` record value the consumer accepts, in bytes. */
  maxEventBytes: 256 * 1024,
  /** Distinct sender ids a digest notification keeps (`senderIds`); later senders are counted, not listed. */
  digestSenderIds: 10,
} as const;
