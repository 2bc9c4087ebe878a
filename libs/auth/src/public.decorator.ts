import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'herald:isPublic';

/** Marks a route as reachable without a bearer token (health, docs, dev token issuance). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
