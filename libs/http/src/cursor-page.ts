import { PAGE_LIMIT_DEFAULT } from './page-limit';

/** One page of a cursor-paginated list, as every list endpoint answers it. */
export interface CursorPage<V> {
  data: V[];
  /** Cursor of the page's last item, to pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
  hasMore: boolean;
}

/**
 * Reads one page of a cursor-paginated list: asks `fetch` for `limit + 1` items (default
 * {@link PAGE_LIMIT_DEFAULT}), so the one past the page tells whether there is a next page without
 * a count, and answers the first `limit` as views.
 * @param limit   the `limit` query parameter (validated by {@link PageLimit}), undefined = default
 * @param fetch   the items in list order, below the request's cursor, at most `want`
 * @param cursorOf the cursor of an item (the page's last item gives `nextCursor`)
 * @param view    the page's items as returned to the client (may read more, e.g. outbox state)
 */
export async function cursorPage<D, V>(
  limit: number | undefined,
  fetch: (want: number) => Promise<D[]>,
  cursorOf: (last: D) => string,
  view: (page: D[]) => V[] | Promise<V[]>,
): Promise<CursorPage<V>> {
  const size = limit ?? PAGE_LIMIT_DEFAULT;
  const docs = await fetch(size + 1);
  const hasMore = docs.length > size;
  const page = docs.slice(0, size);
  return { data: await view(page), nextCursor: hasMore ? cursorOf(page[page.length - 1]) : null, hasMore };
}
