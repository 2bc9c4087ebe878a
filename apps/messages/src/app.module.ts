import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@herald/auth';
import { HeraldConfigModule } from '@herald/config';
import { MongoModule } from '@herald/mongo';
import { MessagesModule } from './messages/messages.module';

/** Root module of the messages app: HTTP → MongoDB → Kafka. */
@Module({})
export class MessagesAppModule {
  /** @param env configuration overrides (tests); everything else comes from `process.env`. */
  static forRoot(env: Record<string, string | undefined> = {}): DynamicModule {
    return {
      module: MessagesAppModule,
      imports: [HeraldConfigModule.forRoot(env), MongoModule, AuthModule, MessagesModule],
    };
  }
}
