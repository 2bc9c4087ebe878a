import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Message, MessageSchema } from './message.schema';
import { MessageStore } from './message.store';

/** Collection `messages` behind {@link MessageStore}, for the features that write or read it. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Message.name, schema: MessageSchema }])],
  providers: [MessageStore],
  exports: [MessageStore, MongooseModule],
})
export class MessageStoreModule {}
