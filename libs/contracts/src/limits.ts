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

/**
 * Shapes of identifiers shared by the HTTP API, the tokens and the events (one definition each).
 * `id`: a user id or conversation id, 1..{@link Limits.idMaxLength} characters of
 * `[A-Za-z0-9_.@:-]`. `objectId`: a MongoDB ObjectId as 24 hex characters (MongoDB manual,
 * "ObjectId"), the form of message and notification ids and of the cursors made from them.
 * Neither has flags, so `source` is also the OpenAPI `pattern` of the same rule.
 */
export const Patterns = {
  id: /^[A-Za-z0-9_.@:-]{1,128}$/,
  objectId: /^[0-9a-fA-F]{24}$/,
} as const;
