import { Types } from 'mongoose';
import { uniqueUser } from '../support/env';
import { bearer, hs256, HttpApps, startHttpApps, unsecured } from '../support/security';

/**
 * A table of malformed and hostile requests (OWASP Input Validation and REST Security cheat
 * sheets, OWASP "NoSQL Injection", RFC 8259 / RFC 9110): each must get its documented 4xx in the
 * standard error shape — never a 2xx, never a 5xx, never an internal message.
 */
type AppName = 'messages' | 'notifications';
interface Case {
  name: string;
  app: AppName;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  /** Serialised with JSON.stringify unless a string or Buffer (sent as is). */
  payload?: unknown;
  headers?: Record<string, string | string[]>;
  /** Send no Authorization header (default: a valid one). */
  anonymous?: boolean;
  status: number;
}

const OK = { recipientIds: ['bob'], body: 'hi' };
const JSON_CT = { 'content-type': 'application/json' };
const ID_404 = new Types.ObjectId().toHexString();
const long = (n: number, c = 'a'): string => c.repeat(n);
const nest = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Strings no id may be: control, separator, operator, traversal, markup, look-alike and invalid Unicode. */
const BAD_IDS = [
  '',
  ' ',
  'bob ',
  'a b',
  'a/b',
  '../etc/passwd',
  'a\nb',
  'a\r\nX-Injected: 1',
  'a\tb',
  'a\u0000b',
  '$where',
  '$gt',
  '{"$gt":""}',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  'a\u202Eb',
  'a\u200Bb',
  '\u200F',
  'ｂｏｂ',
  'bób',
  '👋',
  'a\ud800',
  '\udc00a',
  long(129),
  'a;b',
  'a,b',
  'a%00',
];

function messageCases(): Case[] {
  const post = (name: string, payload: unknown, status = 400, headers?: Record<string, string>): Case => ({
    name: `POST /messages ${name}`,
    app: 'messages',
    method: 'POST',
    url: '/api/v1/messages',
    payload,
    headers,
    status,
  });
  const body = (v: unknown) => ({ ...OK, body: v });
  const rcpt = (v: unknown) => ({ ...OK, recipientIds: v });
  const conv = (v: unknown) => ({ ...OK, conversationId: v });
  return [
    // Wrong types and missing fields.
    ...[
      undefined,
      null,
      'bob',
      7,
      true,
      {},
      { $gt: '' },
      [],
      [null],
      [1],
      [true],
      [[]],
      [{}],
      [{ $ne: null }],
      [['bob']],
    ].map((v) => post(`recipientIds=${JSON.stringify(v)}`, rcpt(v))),
    ...[undefined, null, 7, true, [], {}, { $gt: '' }, { $regex: '.*' }, ['hi'], ''].map((v) =>
      post(`body=${JSON.stringify(v)}`, body(v)),
    ),
    ...[null, 7, true, '', [], {}, { $ne: null }, ['team']].map((v) =>
      post(`conversationId=${JSON.stringify(v)}`, conv(v)),
    ),
    // Limits: recipients ≤ 100 and unique, body ≤ 4000 characters, 64 KiB per request.
    post('101 recipients', rcpt(Array.from({ length: 101 }, (_, i) => `u${i}`))),
    post('duplicate recipients', rcpt(['bob', 'bob'])),
    post('body of 4001 characters', body(long(4001))),
    post('body of 4001 emoji (code points)', body(long(4001, '👋'))),
    post('body over 64 KiB', body(long(65 * 1024)), 413),
    post('10 000 recipients (over 64 KiB)', rcpt(Array.from({ length: 10_000 }, (_, i) => `user${i}`)), 413),
    // Ids: every bad string as a recipient and as a conversation id.
    ...BAD_IDS.map((id) => post(`recipient ${JSON.stringify(id)}`, rcpt([id]))),
    ...BAD_IDS.filter((id) => id !== '').map((id) => post(`conversationId ${JSON.stringify(id)}`, conv(id))),
    post('conversationId dm_ of other people', conv(`dm_${'0'.repeat(32)}`)),
    // Text that is not Unicode, or NUL.
    ...['\ud800', '\udfff', 'x\udbffy', '\udc00\ud800', 'a\u0000b'].map((s) =>
      post(`body ${JSON.stringify(s)}`, body(s)),
    ),
    // Mass assignment, operators and prototype pollution.
    ...[
      'senderId',
      '_id',
      'id',
      'createdAt',
      'publishState',
      'participants',
      'eventId',
      '$where',
      '$set',
      'constructor',
      'prototype',
      'a.b',
      '',
    ].map((k) => post(`extra key ${JSON.stringify(k)}`, { ...OK, [k]: k === 'senderId' ? 'alice' : 1 })),
    post('nested operator', { ...OK, meta: { $gt: 1 } }),
    post('__proto__ key', '{"recipientIds":["bob"],"body":"hi","__proto__":{"admin":true}}', 400, JSON_CT),
    post(
      'constructor.prototype',
      '{"recipientIds":["bob"],"body":"hi","constructor":{"prototype":{"admin":true}}}',
      400,
      JSON_CT,
    ),
    // Not an object, bad JSON, deep nesting.
    ...['[]', '"text"', '123', 'null', 'true', '{}', '[{"recipientIds":["bob"],"body":"hi"}]'].map((raw) =>
      post(`raw body ${raw}`, raw, 400, JSON_CT),
    ),
    ...[
      '{',
      '{"a":}',
      '{"recipientIds":["bob"],"body":"hi",}',
      "{'body':'hi'}",
      '{"body": NaN}',
      '{"body": "hi" /* c */}',
      '\u0000',
      '{"body":"\\x41"}',
      '{"body":"\\ud800"}',
      '',
    ].map((raw) => post(`bad JSON ${JSON.stringify(raw)}`, raw, 400, JSON_CT)),
    post('20 levels of nesting', `{"recipientIds":${nest(20)},"body":"hi"}`, 400, JSON_CT),
    post('30 000 levels of nesting', nest(30_000), 400, JSON_CT),
    post(
      'invalid UTF-8 bytes',
      Buffer.concat([
        Buffer.from('{"recipientIds":["bob"],"body":"'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('"}'),
      ]),
      400,
      JSON_CT,
    ),
    post(
      'overlong UTF-8 encoding of "/"',
      Buffer.concat([Buffer.from('{"recipientIds":["bob"],"body":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
      400,
      JSON_CT,
    ),
    // Content types: JSON only, UTF-8 only.
    ...[
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/jsonp',
      'application/vnd.api+json',
      'text/json',
      'application/json, text/plain',
      '*/*',
      'application/octet-stream',
    ].map((ct) => post(`content-type ${ct}`, JSON.stringify(OK), 415, { 'content-type': ct })),
    // Headers: Idempotency-Key.
    ...['', ' ', long(129, 'k'), 'a b', 'ключ', 'k;drop', 'k\u0000', '../k', 'k,k'].map((k) =>
      post(`Idempotency-Key ${JSON.stringify(k)}`, OK, 400, { 'idempotency-key': k }),
    ),
  ];
}

function readCases(): Case[] {
  const get = (app: AppName, url: string, status: number, name = url): Case => ({
    name: `GET ${name}`,
    app,
    method: 'GET',
    url,
    status,
  });
  const enc = encodeURIComponent;
  const badQueries = [
    'limit=0',
    'limit=101',
    'limit=-1',
    'limit=abc',
    'limit=1.5',
    'limit=',
    'limit=1&limit=2',
    'limit=1e400',
    'foo=1',
    '$where=1',
    'limit[$gt]=1',
    '__proto__=1',
    'constructor=1',
    'a.b=1',
    `after=${enc('{"$gt":""}')}`,
    'after=',
    'after=a&after=b',
    `after=${long(300)}`,
  ];
  return [
    // Messages: ids that are not ObjectIds are simply not found (404), a malformed URL is 400.
    ...[
      'abc',
      long(24, 'g'),
      long(25, 'a'),
      '%24where',
      enc('{"$gt":""}'),
      '..%2F..%2Fetc',
      long(200),
      '%20',
      ID_404,
    ].map((id) => get('messages', `/api/v1/messages/${id}`, 404)),
    get('messages', `/api/v1/messages/${long(2000)}`, 414, '/messages/<2000 characters>'),
    get('messages', '/api/v1/conversations/../messages', 405, '/conversations/../messages (normalised to /messages)'),
    ...['%', '%E0%A4%A', '%zz'].map((id) => get('messages', `/api/v1/messages/${id}`, 400)),
    ...['bad%20id', '%24gt', long(129), 'a%0Ab', 'no-such-conversation'].map((id) =>
      get('messages', `/api/v1/conversations/${id}/messages`, 404),
    ),
    ...[...badQueries, 'after=0', 'after=1~', `after=${long(16, '9')}~c`, 'after=1~bad%20id'].map((q) =>
      get('messages', `/api/v1/conversations?${q}`, 400),
    ),
    ...[...badQueries, 'after=zz', `after=${long(23, 'a')}`].map((q) =>
      get('messages', `/api/v1/conversations/some-conv/messages?${q}`, 400, `/conversations/:id/messages?${q}`),
    ),
    // Notifications: list and count filters.
    ...[
      ...badQueries,
      'after=zz',
      'read=yes',
      'read=1',
      'read=TRUE',
      'read=',
      'read=true&read=false',
      'seen=null',
      'archived=maybe',
      'read[$ne]=true',
    ].map((q) => get('notifications', `/api/v1/notifications?${q}`, 400)),
    ...['read=yes', 'seen=0', 'archived=', 'limit=5', 'after=' + ID_404, 'foo=1', 'read[$ne]=1'].map((q) =>
      get('notifications', `/api/v1/notifications/count?${q}`, 400),
    ),
  ];
}

function writeCases(): Case[] {
  const patch = (
    id: string,
    payload: unknown,
    status = 400,
    name = `PATCH /notifications/${id.slice(0, 30)} ${JSON.stringify(payload)?.slice(0, 60)}`,
  ): Case => ({ name, app: 'notifications', method: 'PATCH', url: `/api/v1/notifications/${id}`, payload, status });
  const readAll = (payload: unknown, status = 400): Case => ({
    name: `POST /read-all ${JSON.stringify(payload)}`,
    app: 'notifications',
    method: 'POST',
    url: '/api/v1/notifications/read-all',
    payload,
    status,
  });
  const token = (payload: unknown, app: AppName = 'messages'): Case => ({
    name: `POST /auth/token ${JSON.stringify(payload)?.slice(0, 60)}`,
    app,
    method: 'POST',
    url: '/api/v1/auth/token',
    payload,
    anonymous: true,
    status: 400,
  });
  return [
    ...['abc', long(24, 'g'), long(25, 'a'), long(23, 'a'), '$where', '%24gt', long(200)].map((id) =>
      patch(id, { read: true }),
    ),
    patch(long(500), { read: true }, 414, 'PATCH /notifications/<500 characters>'),
    ...[
      { read: 'true' },
      { read: 1 },
      { read: null },
      { seen: 'yes' },
      { archived: {} },
      { read: [] },
      { $set: { recipientId: 'x' } },
      { recipientId: 'mallory' },
      { readAt: '2020-01-01' },
      { read: true, extra: 1 },
      { read: { $ne: null } },
    ].map((p) => patch(ID_404, p)),
    patch(ID_404, '[]'),
    patch(ID_404, { read: true }, 404, 'PATCH /notifications/<unknown id> → 404'),
    ...[
      { conversationId: 1 },
      { conversationId: null },
      { conversationId: '' },
      { conversationId: 'bad id' },
      { conversationId: { $ne: null } },
      { conversationId: ['a'] },
      { recipientId: 'x' },
      { conversationId: 'a', all: true },
      { conversationId: long(129) },
    ].map((p) => readAll(p)),
    ...[
      {},
      { userId: '' },
      { userId: long(129) },
      { userId: 'a b' },
      { userId: 'a\nb' },
      { userId: { $gt: '' } },
      { userId: null },
      { userId: 7 },
      { userId: 'alice', sub: 'admin' },
      { userId: 'alice', admin: true },
      { userId: 'a:b' },
      { userId: '$where' },
    ].map((p) => token(p)),
    token({ userId: ['alice'] }, 'notifications'),
    // Methods the resources do not have: 405 with Allow.
    { name: 'DELETE /messages', app: 'messages', method: 'DELETE', url: '/api/v1/messages', status: 405 },
    {
      name: 'PUT /messages/:id',
      app: 'messages',
      method: 'PUT',
      url: `/api/v1/messages/${ID_404}`,
      payload: OK,
      status: 405,
    },
    {
      name: 'PATCH /notifications/count',
      app: 'notifications',
      method: 'PATCH',
      url: '/api/v1/notifications/count',
      payload: { read: true },
      status: 405,
    },
    {
      name: 'DELETE /notifications/:id',
      app: 'notifications',
      method: 'DELETE',
      url: `/api/v1/notifications/${ID_404}`,
      status: 405,
    },
    {
      name: 'GET /notifications/read-all',
      app: 'notifications',
      method: 'GET',
      url: '/api/v1/notifications/read-all',
      status: 405,
    },
  ];
}

describe('hostile input table', () => {
  let apps: HttpApps;
  let token: string;
  const user = uniqueUser('fuzz');
  beforeAll(async () => {
    apps = await startHttpApps();
    token = await hs256(user);
  });
  afterAll(() => apps?.close());

  const authCases = async (): Promise<Case[]> => {
    const routes: Array<[AppName, string]> = [
      ['messages', '/api/v1/conversations'],
      ['notifications', '/api/v1/notifications'],
    ];
    const values = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Basic YWxpY2U6cHc=',
      'Bearer a.b.c',
      `Bearer ${unsecured(user)}`,
      `Bearer ${await hs256(user, { expiresIn: -60 })}`,
      `Bearer ${await hs256(user, { secret: 'not-the-secret-but-long' })}`,
      `Bearer ${await hs256('$gt')}`,
      `Bearer ${await hs256('a b')}`,
      `Bearer ${long(10_000, 'x')}`,
      `Token ${await hs256(user)}`,
      `Bearer ${await hs256(user)} extra`,
    ];
    return routes.flatMap(([app, url]) =>
      values.map((v, i): Case => ({
        name: `GET ${url} Authorization #${i} ${String(v).slice(0, 24)}`,
        app,
        method: 'GET',
        url,
        anonymous: true,
        headers: v === undefined ? {} : { authorization: v },
        status: 401,
      })),
    );
  };

  it('answers every case with its 4xx in the standard error shape', async () => {
    const cases = [...messageCases(), ...readCases(), ...writeCases(), ...(await authCases())];
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const wrong: string[] = [];
    for (const c of cases) {
      const raw = typeof c.payload === 'string' || Buffer.isBuffer(c.payload);
      const res = await apps[c.app].inject({
        method: c.method,
        url: c.url,
        headers: { ...(c.anonymous ? {} : bearer(token)), ...(c.payload !== undefined ? JSON_CT : {}), ...c.headers },
        ...(c.payload === undefined
          ? {}
          : { payload: raw ? (c.payload as string | Buffer) : JSON.stringify(c.payload) }),
      });
      let body: { statusCode?: unknown; error?: unknown; message?: unknown } = {};
      try {
        body = res.json();
      } catch {
        // checked below
      }
      const shaped =
        body.statusCode === res.statusCode && typeof body.error === 'string' && typeof body.message === 'string';
      const leaky =
        /node_modules|\.ts:\d+|\.js:\d+|Mongo(Server|Network)?Error|Mongoose|mongodb|E11000|Cast to|\bstack\b/i.test(
          res.body,
        );
      if (res.statusCode !== c.status || !shaped || leaky)
        wrong.push(`${c.name}: ${res.statusCode} (want ${c.status}) ${res.body.slice(0, 160)}`);
    }
    console.log(`hostile input: ${cases.length} requests, ${cases.length - wrong.length} answered as expected`);
    expect(wrong).toEqual([]);
  });

  it('still accepts legitimate unusual text: RTL, zero-width joiners, emoji, 4000 code points', async () => {
    for (const text of [
      '\u05E9\u05DC\u05D5\u05DD \u202Bmixed\u202C',
      '👩‍👩‍👧‍👦 family (ZWJ)',
      'a\u200Bb',
      long(4000, '👋'),
    ]) {
      const res = await apps.messages.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: bearer(token),
        payload: { recipientIds: ['bob'], body: text },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().body).toBe(text);
    }
  });
});
