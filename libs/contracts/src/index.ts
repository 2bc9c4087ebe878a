import 'reflect-metadata';
export * from './topics';
export * from './limits';
export * from './envelope';
export * from './message-created.event';
export * from './notification-created.event';
export * from './inbox-changed.event';
export * from './decode';
