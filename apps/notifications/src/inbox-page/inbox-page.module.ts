import { Module } from '@nestjs/common';
import { InboxPageController } from './inbox-page.controller';

/** The inbox web page served at `/inbox` (built by scripts/build-inbox.js from apps/notifications/web). */
@Module({ controllers: [InboxPageController] })
export class InboxPageModule {}
