#!/usr/bin/env node
'use strict';
/**
 * Measures the conversation projection's delay: how long after the 201 of POST /api/v1/messages
 * the conversation list (GET /api/v1/conversations, the `conversations` group's projection of
 * `message.created`) shows the message as the conversation's last one.
 *
 *   MESSAGES_URL=http://127.0.0.1:3000 node scripts/projection-lag.js [sequential] [burst] [conversations]
 *
 * Needs a running messages app with dev tokens (`POST /api/v1/auth/token`, NODE_ENV != production)
 * and `RATE_LIMIT_ENABLED=false`. Two phases:
 * - sequential (default 100): one message at a time; after each 201 the sender's list is polled
 *   every 10 ms until the message is its newest; prints p50 / p95 / max of that delay in ms;
 * - burst (default 1000 over 50 conversations, 20 requests in flight): after the last 201, polls
 *   every conversation's list until each shows its last message; prints that drain time in ms.
 * A measurement for docs, not a test: loopback only, takes well under a minute.
 */
const BASE = process.env.MESSAGES_URL || 'http://127.0.0.1:3000';
const SEQUENTIAL = Number(process.argv[2] || 100);
const BURST = Number(process.argv[3] || 1000);
const CONVERSATIONS = Number(process.argv[4] || 50);
const run = Math.random().toString(16).slice(2, 8);

async function call(method, path, token, body) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const token = async (userId) => (await call('POST', '/api/v1/auth/token', null, { userId })).accessToken;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Polls the user's conversation list until conversation `cid` has `messageId` as last message. */
async function visible(tok, cid, messageId, pollMs = 10) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const page = await call('GET', '/api/v1/conversations?limit=100', tok);
    const c = page.data.find((x) => x.id === cid);
    if (c && c.lastMessage && c.lastMessage.id === messageId) return;
    await sleep(pollMs);
  }
  throw new Error(`conversation ${cid} did not show message ${messageId} within 120 s`);
}

async function sequential() {
  const alice = `lag-${run}-a`;
  const tok = await token(alice);
  const delays = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const m = await call('POST', '/api/v1/messages', tok, {
      recipientIds: [`lag-${run}-peer${i % 10}`],
      body: `seq ${i}`,
    });
    const t0 = performance.now();
    await visible(tok, m.conversationId, m.id);
    delays.push(performance.now() - t0);
  }
  delays.sort((a, b) => a - b);
  return {
    messages: SEQUENTIAL,
    p50Ms: Math.round(pct(delays, 50)),
    p95Ms: Math.round(pct(delays, 95)),
    maxMs: Math.round(delays[delays.length - 1]),
  };
}

async function burst() {
  const senders = Array.from({ length: CONVERSATIONS }, (_, k) => `lag-${run}-s${k}`);
  const tokens = await Promise.all(senders.map(token));
  const last = new Map();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < BURST) {
        const i = next++;
        const k = i % CONVERSATIONS;
        const m = await call('POST', '/api/v1/messages', tokens[k], {
          recipientIds: [`lag-${run}-r${k}`],
          body: `burst ${i}`,
        });
        const prev = last.get(k);
        if (!prev || prev.i < i) last.set(k, { i, id: m.id, cid: m.conversationId });
      }
    }),
  );
  const sentMs = performance.now() - t0;
  const tLast = performance.now();
  await Promise.all([...last].map(([k, m]) => visible(tokens[k], m.cid, m.id, 50)));
  return {
    messages: BURST,
    conversations: CONVERSATIONS,
    sendMs: Math.round(sentMs),
    drainAfterLast201Ms: Math.round(performance.now() - tLast),
  };
}

(async () => {
  const seq = await sequential();
  console.log(`sequential: ${JSON.stringify(seq)}`);
  const b = await burst();
  console.log(`burst: ${JSON.stringify(b)}`);
})().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
