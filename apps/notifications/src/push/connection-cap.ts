import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { PushInstance, PushLease, PushPresence } from '../dal/push-presence/push-presence.schema';
import { notificationsSettings, NotificationsSettings } from '../notifications.settings';

/** How often an instance renews its `push_instances` document (and retries failed releases), in ms. */
export const PRESENCE_RENEW_MS = 10_000;
/** How long an instance counts as alive after its last renewal, in ms (three renewals). */
export const PRESENCE_TTL_MS = 30_000;
/** How long the list of live instances is reused before it is read again, in ms. */
export const ALIVE_CACHE_MS = 2_000;
/** Read-modify-write attempts on one user's presence before giving up (contention). */
const WRITE_ATTEMPTS = 5;

/** The 429 a connection over the cap gets (SSE answer; the socket handshake sends its message). */
export function tooManyConnections(limit: number): HttpException {
  return new HttpException(
    {
      statusCode: 429,
      error: 'Too Many Requests',
      message: `too many real-time connections: at most ${limit} per user (SSE and Socket.IO together, all instances)`,
    },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}

/**
 * The leases of a user that count against the cap: those of live instances, and of this
 * instance only those it still holds (so a lease this instance failed to release stops counting
 * here at once, and is dropped from the document by the next write).
 * @param leases   the user's recorded leases
 * @param alive    ids of the instances alive now (see {@link PRESENCE_TTL_MS})
 * @param self     this instance's id
 * @param held     lease ids this instance holds (claimed, not released)
 */
export function countingLeases(
  leases: readonly PushLease[],
  alive: ReadonlySet<string>,
  self: string,
  held: ReadonlySet<string>,
): PushLease[] {
  return leases.filter((l) => (l.instanceId === self ? held.has(l.id) : alive.has(l.instanceId)));
}

/**
 * The per-user cap on real-time connections (`PUSH_CONNECTIONS_PER_USER`, SSE streams and
 * sockets together) across every notifications instance.
 *
 * Each open connection is a lease in the user's `push_presence` document, tagged with the
 * instance holding it; each instance renews a `push_instances` document, and the leases of an
 * instance whose document expired (it crashed, or lost the database) no longer count. A connection
 * is accepted when fewer than the cap of the user's leases count, by a write conditioned on the
 * revision read, retried on conflict, so concurrent connections on different instances cannot
 * exceed the cap. When the database cannot be reached the connection is accepted untracked
 * (fail open: pushes are best effort and reconnect anyway; the cap resumes with the database).
 */
@Injectable()
export class ConnectionCap implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionCap.name);
  /** This process's id in `push_instances`. */
  readonly instanceId = randomUUID();
  /** Lease ids claimed here and not released. */
  private readonly held = new Set<string>();
  /** Releases that failed: lease id → user id, retried at each renewal. */
  private readonly unreleased = new Map<string, string>();
  private aliveCache?: { at: number; ids: Set<string> };
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(notificationsSettings.KEY) private readonly settings: NotificationsSettings,
    @InjectModel(PushPresence.name) private readonly presence: Model<PushPresence>,
    @InjectModel(PushInstance.name) private readonly instances: Model<PushInstance>,
  ) {}

  /** The cap (0: off). */
  get limit(): number {
    return this.settings.PUSH_CONNECTIONS_PER_USER;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.limit === 0) return;
    await this.renew();
    this.timer = setInterval(() => void this.renew(), PRESENCE_RENEW_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.limit === 0) return;
    // Every lease of this instance stops counting at once (clients reconnect to another one).
    await this.instances.deleteOne({ _id: this.instanceId }).catch(() => undefined);
  }

  /**
   * Claims a place for one more connection of `userId`.
   * @returns the lease id to {@link release} when the connection closes, or null when the user
   *   already holds `PUSH_CONNECTIONS_PER_USER` connections (the caller refuses with 429)
   */
  async acquire(userId: string): Promise<string | null> {
    const lease: PushLease = { id: randomUUID(), instanceId: this.instanceId, since: new Date() };
    if (this.limit === 0) return lease.id;
    this.held.add(lease.id); // before the write: a concurrent write from here keeps it once recorded
    try {
      const accepted = await this.change(userId, (live) => (live.length >= this.limit ? null : [...live, lease]));
      if (!accepted) this.held.delete(lease.id);
      return accepted ? lease.id : null;
    } catch (err) {
      this.held.delete(lease.id);
      this.logger.warn(`connection cap of ${userId} not checked, accepting untracked: ${(err as Error).message}`);
      return lease.id;
    }
  }

  /** Gives back the place of a closed connection. Never rejects (a failed release is retried later). */
  async release(userId: string, leaseId: string): Promise<void> {
    if (this.limit === 0 || !this.held.delete(leaseId)) return;
    await this.drop(userId, leaseId);
  }

  /** Renews this instance's liveness and retries failed releases. Never rejects. */
  private async renew(): Promise<void> {
    try {
      const now = Date.now();
      await this.instances.updateOne(
        { _id: this.instanceId },
        { $set: { expiresAt: new Date(now + PRESENCE_TTL_MS) } },
        { upsert: true },
      );
      // Long dead instances: a few documents. `trusted`: the operator is ours (the connection sets sanitizeFilter).
      await this.instances.deleteMany({ expiresAt: trusted({ $lt: new Date(now - PRESENCE_TTL_MS) }) });
    } catch (err) {
      this.logger.warn(`push presence not renewed: ${(err as Error).message}`);
    }
    for (const [leaseId, userId] of [...this.unreleased]) {
      this.unreleased.delete(leaseId);
      await this.drop(userId, leaseId);
    }
  }

  private async drop(userId: string, leaseId: string): Promise<void> {
    try {
      await this.change(userId, (live) => live);
    } catch (err) {
      this.unreleased.set(leaseId, userId);
      this.logger.warn(`lease ${leaseId} of ${userId} not released yet: ${(err as Error).message}`);
    }
  }

  /**
   * One read-modify-write of a user's leases: `next` gets the leases that count and returns the
   * new list, or null to leave the document as it is (refusal). Written only over the revision
   * read; retried when another write came first.
   * @returns false when `next` refused
   * @throws Error after {@link WRITE_ATTEMPTS} conflicts in a row, or the driver's error
   */
  private async change(userId: string, next: (live: PushLease[]) => PushLease[] | null): Promise<boolean> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const doc = await this.presence.findById(userId).lean<PushPresence>().exec();
      const live = countingLeases(doc?.leases ?? [], await this.alive(), this.instanceId, this.held);
      const leases = next(live);
      if (leases === null) return false;
      if (!doc) {
        if (leases.length === 0) return true;
        const inserted = await this.presence.create({ _id: userId, leases, rev: 1 }).then(
          () => true,
          (err: { code?: number }) => {
            if (err.code === 11000) return false; // another instance created it first: read again
            throw err;
          },
        );
        if (inserted) return true;
        continue;
      }
      if (sameLeases(doc.leases, leases)) return true;
      const res = await this.presence
        .updateOne({ _id: userId, rev: doc.rev }, { $set: { leases, rev: doc.rev + 1 } })
        .exec();
      if (res.matchedCount === 1) return true;
    }
    throw new Error(`push presence of ${userId}: ${WRITE_ATTEMPTS} conflicting writes in a row`);
  }

  /** Ids of the live instances (this one always), read at most every {@link ALIVE_CACHE_MS}. */
  private async alive(): Promise<Set<string>> {
    const now = Date.now();
    if (!this.aliveCache || now - this.aliveCache.at > ALIVE_CACHE_MS) {
      const docs = await this.instances.find({}, { expiresAt: 1 }).lean<PushInstance[]>().exec();
      const ids = new Set(docs.filter((d) => d.expiresAt.getTime() > now).map((d) => d._id));
      this.aliveCache = { at: now, ids };
    }
    return new Set([...this.aliveCache.ids, this.instanceId]);
  }
}

function sameLeases(a: readonly PushLease[], b: readonly PushLease[]): boolean {
  return a.length === b.length && a.every((l, i) => l.id === b[i].id);
}
