export * from './public.decorator';
export * from './current-user.decorator';
export * from './token.service';
export * from './jwt-auth.guard';
export * from './auth.module';
