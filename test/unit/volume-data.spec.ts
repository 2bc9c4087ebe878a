import { contactRank, inboxSizes, VOLUME_SHAPE, VolumeData, volumeUser } from '../../bench/lib/volume-data';

describe('volume benchmark data (bench/lib/volume-data.ts)', () => {
  it('inbox sizes add up to exactly the total and fall with rank', () => {
    for (const total of [2_000, 100_000, 1_000_000]) {
      const sizes = inboxSizes(total, 10_000, VOLUME_SHAPE.evenShare, VOLUME_SHAPE.zipfExponent);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      const rises = sizes.filter((n, r) => r > 0 && n > sizes[r - 1] + 1).length;
      expect(rises).toBe(0);
    }
  });

  it('at 1,000,000 over 10,000 users: a few inboxes over 10,000, the median about 50', () => {
    const sizes = [...inboxSizes(1_000_000, 10_000, VOLUME_SHAPE.evenShare, VOLUME_SHAPE.zipfExponent)];
    const over = sizes.filter((n) => n >= 10_000).length;
    expect(over).toBeGreaterThanOrEqual(3);
    expect(over).toBeLessThanOrEqual(20);
    const median = [...sizes].sort((a, b) => a - b)[5_000];
    expect(median).toBeGreaterThanOrEqual(45);
    expect(median).toBeLessThanOrEqual(60);
  });

  it('a contact is never the user itself', () => {
    const self = [];
    for (let rank = 0; rank < 50; rank++)
      for (let j = 0; j < 200; j++) if (contactRank(rank, j, 50) === rank) self.push([rank, j]);
    expect(self).toEqual([]);
  });

  it('is deterministic and yields one notification per message, to its recipient, from a participant', () => {
    const shape = { ...VOLUME_SHAPE, notifications: 500, users: 40 };
    const strip = (d: VolumeData) =>
      [...d.batches(100, 1_700_000_000_000)].flatMap((b) =>
        b.notifications.map((n, i) => {
          const m = b.messages[i];
          expect(n.messageId).toBe(m._id.toHexString());
          expect(n.recipientId).toBe(m.recipientIds[0]);
          expect(m.participants).toEqual([m.senderId, n.recipientId].sort());
          return [
            n.recipientId,
            n.senderId,
            n.conversationId,
            n.eventId,
            n.readAt?.getTime() ?? null,
            n.archivedAt !== null,
            m.body,
          ];
        }),
      );
    const a = strip(new VolumeData(shape));
    expect(a).toHaveLength(500);
    expect(strip(new VolumeData(shape))).toEqual(a);
    const perUser = new Map<string, number>();
    for (const [user] of a) perUser.set(user as string, (perUser.get(user as string) ?? 0) + 1);
    const sizes = new VolumeData(shape).sizes;
    expect(perUser.get(volumeUser(0))).toBe(sizes[0]);
  });

  it('folds conversations like the read model: one per pair, last message the newest', () => {
    const data = new VolumeData({ ...VOLUME_SHAPE, notifications: 300, users: 20 });
    const messages = [...data.batches(50)].flatMap((b) => b.messages);
    const convs = data.conversations();
    expect(new Set(messages.map((m) => m.conversationId)).size).toBe(convs.length);
    for (const c of convs) {
      const newest = messages.filter((m) => m.conversationId === c._id).at(-1)!;
      expect(c.lastMessage?.id).toBe(newest._id.toHexString());
      expect(c.lastMessageAt).toEqual(newest.createdAt);
    }
  });
});
