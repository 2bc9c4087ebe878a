import { ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { HttpErrorFilter } from './http-exception.filter';

/** An http ArgumentsHost whose reply records status and body. */
function host(): { host: ArgumentsHost; sent: { status?: number; body?: unknown } } {
  const sent: { status?: number; body?: unknown } = {};
  const reply = {
    status: (code: number) => ((sent.status = code), reply),
    header: () => reply,
    send: (body: unknown) => (sent.body = body),
  };
  const h = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
  return { host: h, sent };
}

describe('HttpErrorFilter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs a 500 without the access_token an error text quotes, and answers without internals', () => {
    const logged: string[] = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void logged.push(String(message)));
    const { host: h, sent } = host();
    new HttpErrorFilter().catch(
      new Error('upstream failed for GET /api/v1/notifications/stream?access_token=eyJ.secret.sig&x=1'),
      h,
    );
    expect(sent).toEqual({
      status: 500,
      body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' },
    });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('/api/v1/notifications/stream?access_token=[redacted]&x=1');
    expect(logged[0]).not.toContain('eyJ.secret.sig');
  });

  it('does not log client errors', () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { host: h, sent } = host();
    new HttpErrorFilter().catch(new NotFoundException('no such notification'), h);
    expect(sent.status).toBe(404);
    expect(error).not.toHaveBeenCalled();
  });
});
