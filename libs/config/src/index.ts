export * from './parsers';
export * from './environment';
export * from './validate-environment';
export * from './app-config';
export * from './config.module';
export * from './security-environment';
export * from './security-rules';
export * from './secret-files';
