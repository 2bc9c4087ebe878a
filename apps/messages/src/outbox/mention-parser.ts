/** Characters of a user id (the messages API's `ID_PATTERN`: letters, digits and `_ . @ : -`). */
const ID_CHAR = 'A-Za-z0-9_.@:-';
/**
 * `@` + an id, at the start of the body or after a character that cannot be part of an id (so `a@b`
 * in an e-mail address is no mention).
 */
const MENTION = new RegExp(`(?:^|[^${ID_CHAR}])@([${ID_CHAR}]+)`, 'g');
/** Punctuation an id may end with that a sentence also puts after a word (`@bob.`, `@bob:`). */
const TRAILING = /[.:@-]+$/;

/**
 * The user ids a message body mentions (`message.created` v2 `mentions`): every `@id` whose id
 * is one of `recipientIds`, distinct, in order of first appearance. A token that is no recipient
 * is tried once more without trailing `. : @ -` (`"thanks @bob."` mentions `bob`). Ids that are
 * not recipients (the sender, strangers) are never mentions: a mention notifies only a recipient.
 * Pure: the same body and recipients give the same list, so a republished event is identical.
 */
export function parseMentions(body: string, recipientIds: readonly string[]): string[] {
  const recipients = new Set(recipientIds);
  const found = new Set<string>();
  for (const [, token] of body.matchAll(MENTION)) {
    const id = recipients.has(token) ? token : token.replace(TRAILING, '');
    if (recipients.has(id)) found.add(id);
  }
  return [...found];
}
