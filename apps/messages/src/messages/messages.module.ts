import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { OutboxModule } from '../outbox/outbox.module';
import { Message, MessageSchema } from './message.schema';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';

/** Sending and reading messages. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Message.name, schema: MessageSchema }]), OutboxModule],
  controllers: [MessagesController],
  providers: [MessagesService],
})
export class MessagesModule {}
