import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@herald/auth';
import { AppConfig, HeraldConfigModule } from '@herald/config';
import { RateLimitModule } from '@herald/http';
import { MongoModule } from '@herald/mongo';
import { ObservabilityModule } from '@herald/observability';
import { ConversationsModule } from './conversations/conversations.module';
import { MessagesModule } from './messages/messages.module';

/** Root module of the messages app: HTTP → MongoDB → Kafka, and Kafka → MongoDB for the conversation projection. */
@Module({})
export class MessagesAppModule {
  /** @param config the validated configuration (see `loadConfig`). */
  static forRoot(config: AppConfig): DynamicModule {
    // RateLimitModule before AuthModule: its global guard runs first, so the per-IP limit also
    // covers requests without a valid token (test/e2e/http-security.e2e-spec.ts checks it).
    return {
      module: MessagesAppModule,
      imports: [
        HeraldConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ app: 'messages', consumer: true }),
        MongoModule,
        RateLimitModule.forRoot(config),
        AuthModule,
        MessagesModule,
        ConversationsModule,
      ],
    };
  }
}
