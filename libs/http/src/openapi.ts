import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { strictRequestBodies } from './openapi-strict';

/** Where Swagger UI is served (outside `/api/v1`); the JSON document is at `/docs-json`. */
export const OPENAPI_PATH = 'docs';

/** Name of the bearer security scheme every protected operation refers to. */
export const BEARER_SCHEME = 'bearer';

/** Version written into the documents (the API version of the `/api/v1` prefix). */
export const OPENAPI_VERSION = '1.0.0';

/**
 * Builds the OpenAPI 3 document of an app from its controllers and DTO decorators, with the
 * bearer (JWT) scheme declared. Works on an app created with `preview: true` (no provider is
 * instantiated, so no Kafka or MongoDB is needed): see scripts/export-openapi.ts. Request bodies are
 * sealed (`additionalProperties: false`, see {@link strictRequestBodies}), as validation enforces.
 */
export function buildOpenApiDocument(app: INestApplication, title: string, description: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(description)
    .setVersion(OPENAPI_VERSION)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'POST /api/v1/auth/token issues one (development)',
      },
      BEARER_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  return strictRequestBodies(document);
}

/**
 * Serves Swagger UI at `/docs` and the document at `/docs-json` (Fastify: UI assets through
 * @fastify/static). Call before `listen()`/`init()`. The routes bypass Nest guards (public).
 */
export function setupOpenApi(app: INestApplication, title: string, description: string): OpenAPIObject {
  const document = buildOpenApiDocument(app, title, description);
  SwaggerModule.setup(OPENAPI_PATH, app, document, {
    jsonDocumentUrl: `${OPENAPI_PATH}-json`,
    raw: ['json'],
    swaggerOptions: { persistAuthorization: true },
  });
  return document;
}

/** A deep copy of `value` with every object's keys sorted (stable, diff-friendly JSON). */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => sortKeysDeep(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeysDeep((value as Record<string, unknown>)[k])]),
    ) as T;
  }
  return value;
}

/** The document as committed under docs/openapi: sorted keys, 2-space indent, trailing newline. */
export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeysDeep(document), null, 2)}\n`;
}
