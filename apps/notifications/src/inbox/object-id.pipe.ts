import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { Patterns } from '@herald/contracts';

/** Accepts only a 24-hex-character MongoDB ObjectId; anything else is a 400 naming the field. */
@Injectable()
export class ObjectIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !Patterns.objectId.test(value)) {
      throw new BadRequestException({
        message: 'Invalid request: id',
        details: [{ field: 'id', errors: ['id must be a 24-character hex ObjectId'] }],
      });
    }
    return value.toLowerCase();
  }
}
