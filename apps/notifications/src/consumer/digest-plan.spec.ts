import { Types } from 'mongoose';
import { MessageCreatedEvent } from '@herald/contracts';
import { UserPreferences } from '../dal/preferences/user-preferences';
import { asReplays, burstKey, foldKey, planBatch, PlanInput } from './digest-plan';

let n = 0;
const msg = (
  senderId: string,
  recipientIds: string[],
  conversationId = 'c1',
  mentions: string[] = [],
): MessageCreatedEvent =>
  ({
    eventId: `e${++n}`,
    type: 'message.created',
    version: 2,
    occurredAt: new Date('2026-12-01T10:00:00Z'),
    data: {
      messageId: new Types.ObjectId().toHexString(),
      conversationId,
      senderId,
      recipientIds,
      body: `hello ${n}`,
      createdAt: new Date('2026-12-01T10:00:00Z'),
      mentions,
    },
  }) as MessageCreatedEvent;
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  preferences: new Map(),
  digestWindowMs: 60_000,
  markers: new Map(),
  heads: new Map(),
  storedAt: new Date(),
  ...over,
});

describe('planBatch', () => {
  it('folds the messages of one conversation into the first one of the batch, per recipient', () => {
    const [a, b, c] = [msg('alice', ['bob']), msg('carol', ['bob']), msg('alice', ['bob'])];
    const plan = planBatch([a, b, c], input());
    expect(plan.docs.map((d) => d.eventId)).toEqual([a.eventId]);
    expect(plan.folds.map((f) => [f.eventId, f.headId.equals(plan.docs[0]._id), f.addSenders, f.freshHead])).toEqual([
      [b.eventId, true, ['alice', 'carol'], true],
      [c.eventId, true, undefined, true],
    ]);
  });

  it('never folds a mention, nor with digest off', () => {
    const events = [msg('alice', ['bob']), msg('alice', ['bob'], 'c1', ['bob'])];
    expect(planBatch(events, input()).docs.map((d) => d.type)).toEqual(['message.created', 'message.mentioned']);
    expect(planBatch([msg('alice', ['bob']), msg('alice', ['bob'])], input({ digestWindowMs: 0 })).docs).toHaveLength(
      2,
    );
  });

  it('folds into an open head read for the batch, and a marked pair into its marker head again', () => {
    const head = new Types.ObjectId();
    const other = new Types.ObjectId();
    const [a, b] = [msg('alice', ['bob']), msg('alice', ['bob'])];
    const plan = planBatch(
      [a, b],
      input({
        heads: new Map([[burstKey('bob', 'c1'), { _id: head, senderIds: ['alice'], fresh: false }]]),
        markers: new Map([[foldKey(b.eventId, 'bob'), other]]),
      }),
    );
    expect(plan.docs).toHaveLength(0);
    expect(plan.folds.map((f) => f.headId)).toEqual([head, other]);
  });

  it('skips muted recipients and disabled types; a mention breaks through the mute', () => {
    const prefs = new Map([['bob', new UserPreferences([{ conversationId: 'c1', until: null }])]]);
    const plan = planBatch(
      [msg('alice', ['bob', 'carol']), msg('alice', ['bob'], 'c1', ['bob'])],
      input({ preferences: prefs }),
    );
    expect(plan.docs.map((d) => [d.recipientId, d.type])).toEqual([
      ['carol', 'message.created'],
      ['bob', 'message.mentioned'],
    ]);
  });
});

describe('asReplays', () => {
  it('sends a fold whose marker was found to the marker head as a replay; its senders move to the next fold of the planned head', () => {
    const head = new Types.ObjectId();
    const other = new Types.ObjectId();
    const events = [msg('carol', ['bob']), msg('carol', ['bob']), msg('dave', ['bob'])];
    const heads = new Map([[burstKey('bob', 'c1'), { _id: head, senderIds: ['alice'], fresh: false }]]);
    const { folds } = planBatch(events, input({ heads }));
    expect(folds.map((f) => f.addSenders)).toEqual([['alice', 'carol'], undefined, ['alice', 'dave']]);
    const turned = asReplays(folds, new Map([[0, other]]));
    expect(turned.map((f) => [f.headId, f.replay, f.addSenders])).toEqual([
      [other, true, undefined],
      [head, false, ['alice', 'carol']],
      [head, false, ['alice', 'dave']],
    ]);
    expect(folds[0].replay).toBe(false); // the input is left as it was
  });

  it('keeps the plan of a fold whose marker is gone, and of folds that were replays already', () => {
    const head = new Types.ObjectId();
    const marked = new Types.ObjectId();
    const [a, b] = [msg('carol', ['bob']), msg('carol', ['bob'])];
    const { folds } = planBatch(
      [a, b],
      input({
        heads: new Map([[burstKey('bob', 'c1'), { _id: head, senderIds: ['alice'], fresh: false }]]),
        markers: new Map([[foldKey(a.eventId, 'bob'), marked]]),
      }),
    );
    const turned = asReplays(
      folds,
      new Map([
        [0, new Types.ObjectId()],
        [1, undefined],
      ]),
    );
    expect(turned.map((f) => [f.headId, f.replay, f.addSenders])).toEqual([
      [marked, true, undefined],
      [head, false, ['alice', 'carol']],
    ]);
  });
});
