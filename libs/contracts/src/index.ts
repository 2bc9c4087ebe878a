import 'reflect-metadata';
export * from './topics';
export * from './limits';
export * from './envelope';
export * from './message-created.event';
export * from './notification-created.event';
export * from './decode';
export * from './notification-updated.event';
export * from './notification-types';
