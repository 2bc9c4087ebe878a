import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { isTransientMongoError } from '@herald/mongo';
import { redactUrl } from '@herald/observability';

/** The one error body shape of every Herald HTTP error. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: unknown): void;
}

/**
 * Maps every thrown error to {@link ErrorBody}. HttpExceptions keep their status and message;
 * Fastify's own client errors (body too large → 413, bad JSON → 400, wrong content type → 415)
 * keep theirs; a database outage is a 503 with `Retry-After: 5` (s); anything else is a 500 whose
 * body never carries internals (logged instead, with credentials in URLs redacted: an error text
 * may quote the request URL, e.g. the SSE stream's `?access_token=`; the record's `req` is redacted
 * by the request logger).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<ReplyLike>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      this.logger.error(
        redactUrl(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)),
      );
    }
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) reply.header('Retry-After', '5');
    reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      const obj = typeof res === 'string' ? { message: res } : (res as { message?: unknown; details?: unknown });
      const message = Array.isArray(obj.message) ? obj.message.join('; ') : String(obj.message ?? exception.message);
      return {
        statusCode: status,
        error: STATUS_CODES[status] ?? 'Error',
        message,
        ...(obj.details ? { details: obj.details } : {}),
      };
    }
    if (isTransientMongoError(exception)) {
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: 'database unavailable, retry later',
      };
    }
    const fastifyStatus = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return {
        statusCode: fastifyStatus,
        error: STATUS_CODES[fastifyStatus] ?? 'Error',
        message: (exception as Error).message,
      };
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, error: 'Internal Server Error', message: 'internal error' };
  }
}
