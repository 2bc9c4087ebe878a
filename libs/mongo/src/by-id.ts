import pLimit from 'p-limit';
import type { mongo } from 'mongoose';

/** Lone-`_id` reads one {@link findByIds} call keeps in flight at once. */
export const BY_ID_CONCURRENCY = 8;

/**
 * Runs `work` over `items`, at most `concurrency` at a time (p-limit), and resolves with the
 * results in the order of `items`; rejects with the first error (the others still run to the end).
 */
export function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const limit = pLimit(concurrency);
  return Promise.all(items.map((item) => limit(() => work(item))));
}

/**
 * The documents of `collection` whose `_id` is in `ids`, read with one `findOne({_id})` per id
 * ({@link BY_ID_CONCURRENCY} in flight), instead of one `find({_id: {$in: ids}})`.
 *
 * Why: FerretDB v1.24 pushes no `$in` down to PostgreSQL, not even on `_id`, so an `$in` decodes
 * the whole collection (1.3 s at 20,000 documents, docs/database.md), while a lone `_id` equality
 * is an index lookup there (GIN on `_jsonb->'_id'`, stack/ferretdb/pgindex.go) as it is on MongoDB
 * (the `_id` index). The cost then follows the ids asked for, not the collection's size.
 * @param ids distinct or not (each is read once); ids without a document are left out
 * @param projection MongoDB projection of every read
 * @returns the documents found, in the order of the first occurrence of their id in `ids`
 * @throws the driver's error of the first read that failed
 */
export async function findByIds<T extends mongo.Document>(
  collection: mongo.Collection<T>,
  ids: readonly unknown[],
  projection?: mongo.Document,
): Promise<T[]> {
  const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
  const docs = await mapConcurrently(unique, BY_ID_CONCURRENCY, (id) =>
    collection.findOne({ _id: id } as mongo.Filter<T>, projection ? { projection } : {}),
  );
  return docs.filter((d): d is NonNullable<typeof d> => d !== null) as unknown as T[];
}
