export * from './mongo.module';
export * from './mongo-errors';
export * from './ttl';
export * from './mongo-tls';
export * from './by-id';
