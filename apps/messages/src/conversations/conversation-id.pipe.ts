import { Injectable, NotFoundException, PipeTransform } from '@nestjs/common';
import { ID_PATTERN } from '../messages/dto/create-message.dto';

/** A path conversation id that cannot exist (bad characters, too long) is simply not found: 404. */
@Injectable()
export class ConversationIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !ID_PATTERN.test(value)) throw new NotFoundException('conversation not found');
    return value;
  }
}
