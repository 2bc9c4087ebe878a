import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Preference, PreferenceSchema } from './preference.schema';
import { PreferencesController } from './preferences.controller';
import { PreferencesStore } from './preferences.store';

/** Notification preferences: the `/preferences` API over collection `preferences`, and the store the consumer reads per batch. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Preference.name, schema: PreferenceSchema }])],
  controllers: [PreferencesController],
  providers: [PreferencesStore],
  exports: [PreferencesStore],
})
export class PreferencesModule {}
