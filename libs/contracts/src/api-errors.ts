import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

// The HTTP API's error contract as OpenAPI documents it. It lives here, below @herald/auth (the
// dev-token route) and @herald/http (which produces these bodies), so both document their routes
// with it and neither imports the other for it.

/** One invalid field, as listed in `details` (see `FieldError` in @herald/http). */
export class FieldErrorView {
  @ApiProperty({ example: 'recipientIds.0', description: 'Dotted path of the field, header or parameter' })
  field!: string;

  @ApiProperty({ type: [String], example: ['each value in recipientIds must match ^[A-Za-z0-9_.@:-]{1,128}$'] })
  errors!: string[];
}

/** The one error body of every Herald HTTP error (`ErrorBody` of @herald/http's http-exception.filter.ts). */
export class ErrorBodyView {
  @ApiProperty({ type: 'integer', example: 400, description: 'The HTTP status code, repeated' })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request', description: 'The status text (RFC 9110 reason phrase)' })
  error!: string;

  @ApiProperty({ example: 'Invalid request: recipientIds.0', description: 'Human-readable; never internals' })
  message!: string;

  @ApiPropertyOptional({ type: [FieldErrorView], description: 'Each invalid field (400, 422)' })
  details?: FieldErrorView[];
}

/** Why each error status happens on Herald's routes (the OpenAPI `description`). */
const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: malformed JSON, unknown or operator-like keys, a field breaking its rule (see `details`)',
  401: 'Missing, malformed, expired or badly signed bearer token (`WWW-Authenticate`-style reason in `message`)',
  404: "Not found, or not yours: another user's resources answer exactly like missing ones",
  405: 'The path exists with other methods (see `Allow`)',
  409: 'Conflict: another request changed the same resource first (retry), or a message id or event id is already taken',
  413: 'Request body larger than 64 KiB',
  414: 'A path parameter longer than 256 characters',
  415: 'Content-Type is not application/json',
  422: 'Idempotency-Key reused with a different body',
  429: 'Rate limit exceeded (per user or per IP); retry after `Retry-After` seconds',
  503: 'Database unavailable; retry after `Retry-After` seconds',
};

/** Error statuses every authenticated `/api/v1` route can answer (on top of its own). */
export const COMMON_API_ERRORS = [400, 401, 429, 503] as const;

/**
 * Documents error answers of a route with the shared {@link ErrorBodyView} schema (OpenAPI 3
 * "Responses Object"), so clients and contract tests (schemathesis `status_code_conformance`,
 * `response_schema_conformance`) know every status a route may return. 429 and 503 also document
 * their `Retry-After` header (RFC 9110 §10.2.3).
 *
 * @param statuses e.g. `ApiErrorResponses(404, 422)`; {@link COMMON_API_ERRORS} are added unless
 *   `{ common: false }` is passed first
 */
export function ApiErrorResponses(...statuses: Array<number | { common: false }>): MethodDecorator & ClassDecorator {
  const common = !statuses.some((s) => typeof s === 'object');
  const codes = new Set<number>([
    ...(common ? COMMON_API_ERRORS : []),
    ...statuses.filter((s): s is number => typeof s === 'number'),
  ]);
  return applyDecorators(
    ApiExtraModels(ErrorBodyView, FieldErrorView),
    ...[...codes]
      .sort((a, b) => a - b)
      .map((status) =>
        ApiResponse({
          status,
          description: DESCRIPTIONS[status] ?? 'Error',
          type: ErrorBodyView,
          ...(status === 429 || status === 503
            ? {
                headers: {
                  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
                },
              }
            : {}),
        }),
      ),
  );
}
