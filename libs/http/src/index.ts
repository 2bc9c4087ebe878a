export * from './validation';
export * from './http-exception.filter';
export * from './create-http-app';
export * from './openapi';
export * from './api-errors';
export * from './hostile-input.pipe';
export * from './security-headers';
export * from './rate-limit';
