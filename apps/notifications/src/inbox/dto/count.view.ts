import { ApiProperty } from '@nestjs/swagger';

/**
 * Answer of `GET /api/v1/notifications/count`, also the data of the pushed `unread-count.changed`:
 * the count, at most `INBOX_COUNT_MAX` (default 100).
 */
export class CountView {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 3,
    description: 'Matching notifications, at most INBOX_COUNT_MAX (default 100)',
  })
  count!: number;

  @ApiProperty({
    example: false,
    description: 'true when there are at least `count` (= INBOX_COUNT_MAX): show e.g. "99+"',
  })
  capped!: boolean;
}

/** Answer of `POST /api/v1/notifications/read-all`: how many notifications were marked read. */
export class UpdatedView {
  @ApiProperty({ type: 'integer', minimum: 0, example: 12 })
  updated!: number;
}
