import { Module } from '@nestjs/common';
import { NotificationsDalModule } from '../dal/dal.module';
import { PreferencesController } from './preferences.controller';

/**
 * Notification preferences: the `/preferences` API over collection `preferences` (read and written
 * through `PreferenceRepository`, dal/preferences, which the consumer also reads per batch).
 */
@Module({
  imports: [NotificationsDalModule],
  controllers: [PreferencesController],
})
export class PreferencesModule {}
