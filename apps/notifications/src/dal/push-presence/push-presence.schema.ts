import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** One open real-time connection (SSE stream or socket), held by one instance. */
export class PushLease {
  /** Random id of the connection. */
  id!: string;
  /** The {@link PushInstance} holding it: the lease counts only while that instance is alive. */
  instanceId!: string;
  since!: Date;
}

/**
 * The open real-time connections of one user across all notifications instances (collection
 * `push_presence`, `_id` = the user id, so every read and write is a lone `_id` lookup, the one the
 * embedded FerretDB answers from its index on both backends). Changed only by a read-modify-write
 * over the revision it read (`rev`), so two instances accepting at once cannot both take the last
 * place.
 */
@Schema({ collection: 'push_presence', versionKey: false })
export class PushPresence {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: [{ _id: false, id: String, instanceId: String, since: Date }], default: [] })
  leases!: PushLease[];

  /** Revision, +1 per change. */
  @Prop({ type: Number, required: true })
  rev!: number;
}

export const PushPresenceSchema = SchemaFactory.createForClass(PushPresence);

/**
 * A live notifications instance (collection `push_instances`): renewed every
 * `PRESENCE_RENEW_MS`, dead once `expiresAt` passed (a crashed instance's leases stop counting
 * without anyone removing them). One document per instance: cheap to read whole.
 */
@Schema({ collection: 'push_instances', versionKey: false })
export class PushInstance {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;
}

export const PushInstanceSchema = SchemaFactory.createForClass(PushInstance);
