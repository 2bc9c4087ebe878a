export * from './validation';
export * from './http-exception.filter';
export * from './create-http-app';
export * from './openapi';
