import { OPEN_HEAD } from '../consumer/notification.writer';
import { inboxFilter, stateFilter } from './inbox.service';

/** Plain JSON of a filter (mongoose's `trusted()` marks operator objects with a symbol only). */
const plain = (f: object): unknown => JSON.parse(JSON.stringify(f));

describe('inboxFilter', () => {
  it('is scoped to the user and leaves archived ones out by default, with the flag FerretDB pushes down', () => {
    expect(plain(inboxFilter('bob', {}))).toEqual({ recipientId: 'bob', archivedAt: null, archived: { $ne: true } });
  });

  it('unread: readAt null (exact for old documents) and read $ne true (pushed down)', () => {
    expect(plain(inboxFilter('bob', { read: false }))).toEqual({
      recipientId: 'bob',
      archivedAt: null,
      archived: { $ne: true },
      readAt: null,
      read: { $ne: true },
    });
  });

  it('read / seen / archived true: the date is set', () => {
    expect(plain(inboxFilter('bob', { read: true, seen: true, archived: true }))).toEqual({
      recipientId: 'bob',
      archivedAt: { $ne: null },
      readAt: { $ne: null },
      seenAt: { $ne: null },
    });
  });

  it("a digest fold's open head is the inbox's unread and not archived, without the recipient", () => {
    const { recipientId, ...state } = plain(inboxFilter('bob', { read: false, archived: false })) as Record<
      string,
      unknown
    >;
    expect(recipientId).toBe('bob');
    expect(plain(stateFilter({ read: false, archived: false }))).toEqual(state);
    expect(plain(OPEN_HEAD)).toEqual({ archivedAt: null, archived: { $ne: true }, readAt: null, read: { $ne: true } });
  });
});
