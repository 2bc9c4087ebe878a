import { Injectable, NotFoundException, PipeTransform } from '@nestjs/common';
import { Patterns } from '@herald/contracts';

/** A path conversation id that cannot exist (bad characters, too long) is simply not found: 404. */
@Injectable()
export class ConversationIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !Patterns.id.test(value)) throw new NotFoundException('conversation not found');
    return value;
  }
}
