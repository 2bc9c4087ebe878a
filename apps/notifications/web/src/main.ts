/**
 * Herald's inbox page: sign in (dev token or a pasted JWT), send messages, see conversations and
 * the inbox with its unread badge, live over the notifications app's Socket.IO gateway (resuming
 * after the newest notification seen), mark read, mark all read, archive, page back by cursor.
 * Served by the notifications app at /inbox; the messages app's URL comes from /inbox/config.json.
 */
import { io, Socket } from 'socket.io-client';
import {
  ApiError,
  badgeText,
  call,
  Conversation,
  Notification,
  NotificationFold,
  Page,
  PageConfig,
  tokenSubject,
} from './api';

const TOKEN_KEY = 'herald.inbox.token';
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let config: PageConfig;
let token: string | undefined;
let me = '';
let socket: Socket | undefined;
/** Newest notification id known (list or push): where a reconnection resumes. */
let newestId: string | undefined;
let olderCursor: string | null = null;
const items = new Map<string, Notification>();

const api = (path: string) => `/api/v1${path}`;
const messagesApi = (path: string) => `${config.messagesUrl}/api/v1${path}`;

function setBadge(count: number, capped: boolean): void {
  const badge = $('badge');
  badge.textContent = badgeText(count, capped);
  badge.classList.toggle('unread', count > 0);
}

function setStatus(text: string): void {
  $('status').textContent = text;
}

function remember(n: Notification): void {
  items.set(n.id, n);
  if (!newestId || n.id > newestId) newestId = n.id; // ObjectIds: equal length hex, ordered by time
}

/** Draws the inbox, newest first. */
function renderInbox(): void {
  const list = $('inbox');
  const visible = [...items.values()].filter((n) => !n.archivedAt).sort((a, b) => (a.id < b.id ? 1 : -1));
  list.replaceChildren(
    ...visible.map((n) => {
      const li = document.createElement('li');
      li.dataset.id = n.id;
      li.className = n.readAt ? 'read' : 'unread';
      const text = document.createElement('div');
      text.className = 'text';
      const preview = document.createElement('div');
      preview.className = 'preview';
      preview.textContent = n.preview;
      const meta = document.createElement('div');
      meta.className = 'meta';
      const from =
        n.count && n.count > 1
          ? `${n.count} messages from ${(n.senderIds ?? [n.senderId]).join(', ')}`
          : `from ${n.senderId}`;
      meta.textContent = `${from} · ${new Date(n.createdAt).toLocaleString()}`;
      text.append(preview, meta);
      li.append(text);
      if (!n.readAt) li.append(button('Mark read', 'mark-read', () => update(n.id, { read: true })));
      li.append(button('Archive', 'archive', () => update(n.id, { archived: true })));
      return li;
    }),
  );
  $('inbox-empty').hidden = visible.length > 0;
  $('load-older').hidden = olderCursor === null;
}

function button(label: string, className: string, onClick: () => Promise<void>): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.className = className;
  b.addEventListener('click', () => void onClick().catch(showError));
  return b;
}

async function update(id: string, patch: { read?: boolean; archived?: boolean }): Promise<void> {
  remember(await call<Notification>(api(`/notifications/${id}`), token, { method: 'PATCH', body: patch }));
  renderInbox(); // the badge follows through the socket (unread-count.changed), on every tab
}

async function loadInbox(after?: string): Promise<void> {
  const q = new URLSearchParams({ limit: '20', ...(after ? { after } : {}) });
  const page = await call<Page<Notification>>(api(`/notifications?${q}`), token);
  page.data.forEach(remember);
  olderCursor = page.hasMore ? page.nextCursor : null;
  renderInbox();
}

async function loadConversations(): Promise<void> {
  const page = await call<Page<Conversation>>(messagesApi('/conversations?limit=20'), token);
  const list = $('conversations');
  list.replaceChildren(
    ...page.data.map((c) => {
      const li = document.createElement('li');
      const others = c.participants.filter((p) => p !== me);
      const text = document.createElement('div');
      text.className = 'text';
      text.textContent = others.join(', ') || me;
      const meta = document.createElement('div');
      meta.className = 'meta';
      meta.textContent = c.lastMessage ? `${c.lastMessage.senderId}: ${c.lastMessage.preview}` : '';
      text.append(meta);
      li.append(text);
      li.addEventListener('click', () => {
        ($('recipients') as HTMLInputElement).value = others.join(', ');
        $('body').focus();
      });
      return li;
    }),
  );
  $('conversations-empty').hidden = page.data.length > 0;
}

/**
 * GET /conversations is a projection that follows a message by up to a few hundred ms: refresh a
 * little later, once per burst.
 */
const CONVERSATIONS_REFRESH_DELAY_MS = 500;
let conversationsTimer: ReturnType<typeof setTimeout> | undefined;
function refreshConversationsSoon(): void {
  clearTimeout(conversationsTimer);
  conversationsTimer = setTimeout(() => void loadConversations().catch(showError), CONVERSATIONS_REFRESH_DELAY_MS);
}

function connect(): void {
  socket?.disconnect();
  // auth as a function: every reconnection sends the newest id seen, so what was stored meanwhile is replayed.
  socket = io({ auth: (cb) => cb({ token, ...(newestId ? { lastEventId: newestId } : {}) }) });
  socket.on('connect', () => setStatus('live'));
  socket.on('disconnect', () => setStatus('reconnecting'));
  socket.on('connect_error', (err: Error & { data?: { status?: number } }) => {
    if (err.data?.status === 401) signOut('session expired or token refused: sign in again');
    else if (err.data?.status === 429)
      setStatus('not live: too many open tabs or devices for this user (close one and reload)');
    else setStatus('reconnecting');
  });
  socket.on('notification.created', (n: Notification) => {
    remember(n);
    renderInbox();
    refreshConversationsSoon();
  });
  socket.on('notification.updated', (f: NotificationFold) => {
    const shown = items.get(f.id);
    if (!shown) return; // not on the loaded pages: the next page load shows it
    items.set(f.id, { ...shown, count: f.count, senderIds: f.senderIds, preview: f.preview });
    renderInbox();
  });
  socket.on('unread-count.changed', (c: { count: number; capped: boolean }) => setBadge(c.count, c.capped));
}

async function start(t: string): Promise<void> {
  const sub = tokenSubject(t);
  if (!sub) throw new Error('not a JWT (no sub claim)');
  token = t;
  me = sub;
  localStorage.setItem(TOKEN_KEY, t);
  $('whoami').textContent = me;
  $('signin').hidden = true;
  $('app').hidden = false;
  $('session').hidden = false;
  items.clear();
  newestId = undefined;
  await loadInbox(); // before the socket: it resumes after the newest notification listed
  connect();
  await loadConversations().catch(showError);
}

function signOut(why = ''): void {
  socket?.disconnect();
  socket = undefined;
  token = undefined;
  localStorage.removeItem(TOKEN_KEY);
  $('app').hidden = true;
  $('session').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = why;
}

function showError(err: unknown): void {
  if (err instanceof ApiError && err.status === 401) return signOut('session expired: sign in again');
  $('compose-status').textContent = err instanceof Error ? err.message : String(err);
}

function on(id: string, event: string, handler: (e: Event) => Promise<void>): void {
  $(id).addEventListener(event, (e) => {
    e.preventDefault();
    handler(e).catch(showError);
  });
}

async function main(): Promise<void> {
  config = await call<PageConfig>('/inbox/config.json', undefined);
  on('signin-form', 'submit', async () => {
    const userId = ($('user-id') as HTMLInputElement).value.trim();
    const issued = await call<{ accessToken: string }>(api('/auth/token'), undefined, {
      method: 'POST',
      body: { userId },
    }).catch((err: Error) => {
      $('signin-error').textContent = err.message;
      throw err;
    });
    await start(issued.accessToken);
  });
  on('token-form', 'submit', async () =>
    start(($('jwt') as HTMLInputElement).value.trim()).catch(
      (err: Error) => void ($('signin-error').textContent = err.message),
    ),
  );
  on('sign-out', 'click', async () => signOut());
  on('compose', 'submit', async () => {
    const recipientIds = ($('recipients') as HTMLInputElement).value.split(/[\s,]+/).filter(Boolean);
    const body = ($('body') as HTMLTextAreaElement).value;
    $('compose-status').textContent = 'sending…';
    await call(messagesApi('/messages'), token, { method: 'POST', body: { recipientIds, body } });
    ($('body') as HTMLTextAreaElement).value = '';
    $('compose-status').textContent = 'sent';
    refreshConversationsSoon();
  });
  on('refresh-conversations', 'click', loadConversations);
  on('read-all', 'click', async () => {
    await call(api('/notifications/read-all'), token, { method: 'POST' });
    const now = new Date().toISOString();
    for (const n of items.values()) if (!n.readAt) n.readAt = now;
    renderInbox();
  });
  on('load-older', 'click', async () => (olderCursor ? loadInbox(olderCursor) : undefined));
  const saved = localStorage.getItem(TOKEN_KEY);
  if (saved) await start(saved).catch(() => signOut());
}

void main();
