/** The HTTP calls the inbox page makes: the notifications app (same origin) and the messages app (CORS). */

/** A notification as `GET /api/v1/notifications` and the `notification.created` push carry it. */
export interface Notification {
  id: string;
  senderId: string;
  conversationId: string;
  preview: string;
  createdAt: string;
  readAt: string | null;
  archivedAt: string | null;
  /** Messages folded into it by the digest of bursts (1 when none were). */
  count?: number;
  /** Distinct senders of the folded messages. */
  senderIds?: string[];
}

/** The `notification.updated` push (a digest fold): what changed on a notification already shown. */
export interface NotificationFold {
  id: string;
  count: number;
  senderIds: string[];
  preview: string;
}

/** A conversation of `GET /api/v1/conversations` (messages app). */
export interface Conversation {
  id: string;
  participants: string[];
  lastMessageAt: string;
  lastMessage: { senderId: string; preview: string } | null;
}

/** A cursor page of either app. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
  hasMore: boolean;
}

/** What `GET /inbox/config.json` answers: where the messages app is, as the browser reaches it. */
export interface PageConfig {
  messagesUrl: string;
}

/** An HTTP error with the API's `{ statusCode, message }` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Calls one API route: JSON in and out, bearer token when given. @throws ApiError on a non-2xx answer */
export async function call<T>(
  url: string,
  token: string | undefined,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const message = (json as { message?: unknown } | undefined)?.message;
    throw new ApiError(
      res.status,
      typeof message === 'string' ? message : Array.isArray(message) ? message.join('; ') : `HTTP ${res.status}`,
    );
  }
  return json as T;
}

/** The `sub` claim of a JWT (the user id), read without verifying (the server verifies). */
export function tokenSubject(token: string): string | undefined {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload)) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/** The badge text of an unread count: the number, or `N+` once the server capped it (INBOX_COUNT_MAX). */
export function badgeText(count: number, capped: boolean): string {
  return capped ? `${count}+` : String(count);
}
