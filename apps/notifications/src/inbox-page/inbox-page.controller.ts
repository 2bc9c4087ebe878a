import {
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Param,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@herald/auth';
import { findPageDir, inboxCsp, loadPage, PAGE_FILES, PageFile } from './inbox-page';
import { notificationsSettings, NotificationsSettings } from '../notifications.settings';

/**
 * The inbox web page, outside `/api/v1` (like `/docs`) and outside the OpenAPI document: `GET /inbox`
 * (the page), `GET /inbox/:file` (its bundle, source map and stylesheet) and
 * `GET /inbox/config.json` (`{ messagesUrl }`, INBOX_MESSAGES_URL). No token: the page signs in by
 * itself. Every answer carries the page's CSP ({@link inboxCsp}). 503 when the page was not built.
 */
@Public()
@ApiExcludeController()
@Controller('inbox')
export class InboxPageController {
  private readonly files = loadPage(findPageDir());
  private readonly csp: string;

  constructor(@Inject(notificationsSettings.KEY) private readonly settings: NotificationsSettings) {
    this.csp = inboxCsp(settings.INBOX_MESSAGES_URL);
  }

  @Get()
  index(@Res() reply: FastifyReply): void {
    this.serve(reply, 'index.html');
  }

  @Get('config.json')
  @Header('Cache-Control', 'no-cache')
  pageConfig(@Res({ passthrough: true }) reply: FastifyReply): { messagesUrl: string } {
    void reply.header('Content-Security-Policy', this.csp);
    return { messagesUrl: this.settings.INBOX_MESSAGES_URL };
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    if (file === 'index.html' || !Object.hasOwn(PAGE_FILES, file))
      throw new NotFoundException(`no such file: ${file.slice(0, 64)}`);
    this.serve(reply, file as PageFile);
  }

  private serve(reply: FastifyReply, file: PageFile): void {
    const body = this.files?.get(file);
    if (!body) throw new ServiceUnavailableException('the inbox page is not built: run npm run build');
    void reply
      .header('Content-Security-Policy', this.csp)
      .header('Cache-Control', 'no-cache')
      .type(PAGE_FILES[file])
      .send(body);
  }
}
