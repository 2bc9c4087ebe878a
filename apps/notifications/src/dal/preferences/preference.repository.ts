import { ConflictException, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { findByIds, isDuplicateKeyError } from '@herald/mongo';
import { ConversationMute, Preference } from './preference.schema';
import { UserPreferences } from './user-preferences';

/** Rounds of a read-modify-write that lost to a concurrent change of the same user's document. */
const WRITE_ATTEMPTS = 5;

type PreferenceDoc = Omit<Preference, never>;

/**
 * Most distinct users whose preferences {@link PreferenceRepository.forUsers} reads by lone `_id`
 * (one `findOne` each); more are read with one `_id` `$in`.
 *
 * Why two ways: FerretDB v1.24 does not push `$in` down, not even on `_id`, so an `$in` decodes the
 * whole `preferences` collection whatever it asks for (measured on the local stack, PostgreSQL
 * backend, loaded machine: 2.4–3.4 s at 20,000 users with preferences, for 20 ids as for 500),
 * while a lone `_id` is an index lookup (20 users: 27–170 ms; docs/database.md). A consumer keeping
 * up reads small batches, whose cost then follows the batch, not the number of users who ever set a
 * preference; a catch-up batch of hundreds of recipients shares one `$in` (as many lone reads
 * would cost about as much). On MongoDB both are `_id` index lookups.
 */
export const PREFERENCE_LONE_READS_MAX = 32;
const PROJECTION = { mutes: 1, disabledTypes: 1 } as const;

/**
 * The `preferences` collection: read by the consumer once per batch ({@link forUsers}), changed by
 * the preferences API. Every change rewrites the user's document over the revision it read
 * (`{_id, rev}` filter: an equality pair FerretDB v1.24 evaluates like MongoDB), so two concurrent
 * PUTs of one user both apply; no update operator beyond `$set` is needed (FerretDB v1.24 lacks a
 * conditional `$pull`).
 */
@Injectable()
export class PreferenceRepository {
  constructor(@InjectModel(Preference.name) private readonly preferences: Model<Preference>) {}

  private get collection(): mongo.Collection<PreferenceDoc> {
    return this.preferences.collection as unknown as mongo.Collection<PreferenceDoc>;
  }

  /** One user's preferences (the defaults when none are stored). */
  async get(userId: string): Promise<UserPreferences> {
    const doc = await this.collection.findOne({ _id: userId });
    return doc ? new UserPreferences(doc.mutes, doc.disabledTypes) : UserPreferences.none;
  }

  /**
   * The preferences of `userIds`, for a consumer batch: by lone `_id` for up to
   * {@link PREFERENCE_LONE_READS_MAX} distinct users, else with one `_id` `$in`; users without a
   * document are left out (callers use {@link UserPreferences.none}).
   * @throws the driver's error when a read fails (the batch is retried, nothing was stored)
   */
  async forUsers(userIds: readonly string[]): Promise<Map<string, UserPreferences>> {
    const found = new Map<string, UserPreferences>();
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return found;
    const docs =
      ids.length <= PREFERENCE_LONE_READS_MAX
        ? await findByIds(this.collection, ids, PROJECTION)
        : await this.collection.find({ _id: { $in: ids } }, { projection: PROJECTION }).toArray();
    for (const d of docs) found.set(d._id, new UserPreferences(d.mutes, d.disabledTypes));
    return found;
  }

  /** Mutes (until `until`, or until unmuted) or unmutes one conversation. */
  setConversation(
    userId: string,
    conversationId: string,
    muted: boolean,
    until: Date | null,
  ): Promise<UserPreferences> {
    return this.change(userId, (doc) => {
      const mutes = doc.mutes.filter((m) => m.conversationId !== conversationId);
      if (muted) mutes.push({ conversationId, until });
      return { ...doc, mutes };
    });
  }

  /** Turns a notification type on or off. */
  setType(userId: string, type: string, enabled: boolean): Promise<UserPreferences> {
    return this.change(userId, (doc) => {
      const disabledTypes = doc.disabledTypes.filter((t) => t !== type);
      if (!enabled) disabledTypes.push(type);
      return { ...doc, disabledTypes };
    });
  }

  /**
   * Read, change in code, write over the revision read (insert for a new user); a lost race (no
   * match, or a duplicate key on a concurrent insert) reads again.
   * @throws ConflictException (409) after {@link WRITE_ATTEMPTS} lost races in a row
   */
  private async change(userId: string, edit: (doc: PreferenceDoc) => PreferenceDoc): Promise<UserPreferences> {
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      const current = await this.collection.findOne({ _id: userId });
      const base: PreferenceDoc = current ?? {
        _id: userId,
        mutes: [] as ConversationMute[],
        disabledTypes: [],
        rev: 0,
        updatedAt: new Date(0),
      };
      const next = { ...edit(base), rev: base.rev + 1, updatedAt: new Date() };
      if (!current) {
        try {
          await this.collection.insertOne(next);
          return new UserPreferences(next.mutes, next.disabledTypes);
        } catch (err) {
          if (isDuplicateKeyError(err)) continue;
          throw err;
        }
      }
      const { _id, ...fields } = next;
      const res = await this.collection.updateOne({ _id, rev: base.rev }, { $set: fields });
      if (res.matchedCount === 1) return new UserPreferences(next.mutes, next.disabledTypes);
    }
    throw new ConflictException('preferences changed concurrently; retry');
  }
}
