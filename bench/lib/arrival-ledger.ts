/**
 * When the pushes on the push topic (`notification.created` and `notification.updated`, both on
 * `notification.created`, key = recipient) made each recipient's messages visible, counted by what
 * the stored notifications hold rather than by which message a push names.
 *
 * Why: with digests on (`DIGEST_WINDOW_MS`), the messages of one conversation fold into the
 * recipient's unread notification, and the notifications consumer pushes that notification once
 * per batch with its `count` (1 + messages folded) and the latest message's preview: a message
 * folded in the same batch as a later one is never named by a push. Nor is "latest" the order the
 * load generator sent them in: concurrent POSTs of one conversation are stored in the order the
 * messages app took them.
 *
 * So per recipient: each notification counts with the highest `count` seen for its id (a
 * `notification.created` is 1); their sum is how many of the recipient's messages are stored and
 * pushed, and when it reached `k` is when the recipient's `k`-th message (in answer order, see
 * {@link settle}) arrived. A fold that was never applied, or whose last push never came, stays
 * missing. A push seen twice (redelivery) counts once.
 */
export class ArrivalLedger {
  /** `<recipient> <notification id>` → highest count seen. */
  private readonly counts = new Map<string, number>();
  /** Recipient → when its covered total grew, and to what (totals strictly increasing). */
  private readonly history = new Map<string, Array<{ at: number; total: number }>>();
  private readonly covered = new Map<string, number>();
  /** Recipient → messages already given to earlier {@link settle} calls. */
  private readonly settled = new Map<string, number>();
  /** Messages covered over every recipient (what {@link record} has seen so far). */
  total = 0;
  /** Messages given to {@link settle} calls so far, over every recipient. */
  settledTotal = 0;

  /**
   * Records one push record's value (JSON of a `notification.created` or `notification.updated`
   * v1 event) that arrived at `at` (ms, any clock). Other values are ignored.
   */
  record(value: string, at: number): void {
    let event: { type?: string; data?: { id?: string; recipientId?: string; count?: number } };
    try {
      event = JSON.parse(value) as typeof event;
    } catch {
      return;
    }
    const { id, recipientId, count } = event.data ?? {};
    if (!id || !recipientId) return;
    const n = event.type === 'notification.updated' ? (count ?? 0) : 1;
    const key = `${recipientId} ${id}`;
    const before = this.counts.get(key) ?? 0;
    if (n <= before) return;
    this.counts.set(key, n);
    const total = (this.covered.get(recipientId) ?? 0) + n - before;
    this.covered.set(recipientId, total);
    this.total += n - before;
    const list = this.history.get(recipientId);
    if (list) list.push({ at, total });
    else this.history.set(recipientId, [{ at, total }]);
  }

  /**
   * Arrival times of the recipient's next `n` messages (those of one load phase, in the order
   * their POSTs were answered: the order they were most likely stored in), `undefined` for those
   * no push covered (yet). Later calls go on after these `n`.
   */
  settle(recipientId: string, n: number): Array<number | undefined> {
    const base = this.settled.get(recipientId) ?? 0;
    this.settled.set(recipientId, base + n);
    this.settledTotal += n;
    const history = this.history.get(recipientId) ?? [];
    const out: Array<number | undefined> = [];
    let h = 0;
    for (let k = base + 1; k <= base + n; k++) {
      while (h < history.length && history[h].total < k) h++;
      out.push(history[h]?.at);
    }
    return out;
  }
}
