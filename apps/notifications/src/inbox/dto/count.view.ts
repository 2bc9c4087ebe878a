import { ApiProperty } from '@nestjs/swagger';

/** Answer of `GET /api/v1/notifications/count`. */
export class CountView {
  @ApiProperty({ type: 'integer', minimum: 0, example: 3 })
  count!: number;
}

/** Answer of `POST /api/v1/notifications/read-all`: how many notifications were marked read. */
export class UpdatedView {
  @ApiProperty({ type: 'integer', minimum: 0, example: 12 })
  updated!: number;
}
