import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '@herald/auth';
import { ApiErrorResponses, Patterns } from '@herald/contracts';
import { CountView, UpdatedView } from './dto/count.view';
import { ListNotificationsQuery, NotificationFilterQuery } from './dto/list-notifications.query';
import { NotificationPage, NotificationView } from './dto/notification.view';
import { ReadAllDto, UpdateNotificationDto } from './dto/update-notification.dto';
import { InboxService } from './inbox.service';
import { ObjectIdPipe } from './object-id.pipe';

/** `/api/v1/notifications`: the authenticated user's inbox. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  /** Newest first, cursor-paginated (`after`, `limit` 1..100, default 20); archived excluded by default. */
  @Get()
  @ApiOperation({ summary: 'List my notifications' })
  @ApiOkResponse({ type: NotificationPage })
  @ApiErrorResponses()
  list(@CurrentUser() user: AuthUser, @Query() q: ListNotificationsQuery): Promise<NotificationPage> {
    return this.inbox.list(user.id, q);
  }

  /**
   * `{ count, capped }` of notifications matching the filters, e.g. `?read=false` for the unread
   * badge; the count stops at INBOX_COUNT_MAX (default 100) with `capped: true`.
   */
  @Get('count')
  @ApiOperation({ summary: 'Count my notifications' })
  @ApiOkResponse({ type: CountView })
  @ApiErrorResponses()
  count(@CurrentUser() user: AuthUser, @Query() q: NotificationFilterQuery): Promise<CountView> {
    return this.inbox.count(user.id, q);
  }

  /** Marks all unread as read (optionally one conversation): `{ updated }`. */
  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all my notifications read' })
  @ApiOkResponse({ type: UpdatedView })
  @ApiErrorResponses(413, 415)
  @ApiBody({
    type: ReadAllDto,
    required: false,
    description: 'Optional: without a body every conversation is marked read',
  })
  async readAll(@CurrentUser() user: AuthUser, @Body() dto: ReadAllDto): Promise<{ updated: number }> {
    return { updated: await this.inbox.readAll(user.id, dto) };
  }

  /** Sets or clears read / seen / archived. 400 for a malformed id, 404 for someone else's. */
  @Patch(':id')
  @ApiOperation({ summary: 'Mark one notification read/seen/archived' })
  @ApiOkResponse({ type: NotificationView })
  @ApiErrorResponses(404, 413, 414, 415)
  @ApiParam({
    name: 'id',
    description: 'MongoDB ObjectId (400 otherwise)',
    schema: { type: 'string', pattern: Patterns.objectId.source },
  })
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', ObjectIdPipe) id: string,
    @Body() dto: UpdateNotificationDto,
  ): Promise<NotificationView> {
    return this.inbox.update(user.id, id, dto);
  }
}
