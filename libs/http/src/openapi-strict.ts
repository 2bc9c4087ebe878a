import type { OpenAPIObject } from '@nestjs/swagger';

type SchemaLike = {
  $ref?: string;
  type?: string;
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  items?: SchemaLike;
};

/**
 * Marks the schema of every JSON request body `additionalProperties: false`: Herald's validation
 * pipe refuses unknown properties (`forbidNonWhitelisted`, the mass-assignment defence of OWASP
 * API Security Top 10 2023, API3), so the contract says so and clients and contract tests
 * (schemathesis) do not expect an extra property to be accepted. JSON Schema 2020-12
 * §10.3.2.3 / OpenAPI 3.0 Schema Object.
 *
 * @returns the same document, changed in place
 */
export function strictRequestBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaLike>;
  const seal = (schema: SchemaLike | undefined, seen = new Set<string>()): void => {
    if (!schema) return;
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      if (seen.has(name)) return;
      seen.add(name);
      seal(schemas[name], seen);
      return;
    }
    if (schema.type === 'object' || schema.properties) schema.additionalProperties = false;
    if (schema.items) seal(schema.items, seen);
  };
  for (const path of Object.values(document.paths ?? {})) {
    for (const op of Object.values(path ?? {})) {
      const body = (op as { requestBody?: { content?: Record<string, { schema?: SchemaLike }> } })?.requestBody;
      for (const media of Object.values(body?.content ?? {})) seal(media.schema);
    }
  }
  return document;
}
