import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { FieldError } from './validation';

/** Keys that reach `Object.prototype` when merged into an object (prototype pollution). */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Deepest nesting of arrays/objects accepted in a body or query (Herald's DTOs need 2). */
export const MAX_INPUT_DEPTH = 16;

/**
 * The first hostile part of a request body or query, or undefined:
 *
 * - keys starting with `$` (MongoDB query operators, e.g. `{"$gt": ""}`) or containing `.` or NUL
 *   (MongoDB field-path separators; OWASP "NoSQL Injection", MongoDB manual "Field Names");
 * - `__proto__`, `constructor`, `prototype` keys (prototype pollution; OWASP "Prototype
 *   Pollution Prevention Cheat Sheet"). Fastify's secure-json-parse already rejects the first and
 *   `constructor.prototype` in JSON bodies; this also covers query strings and plain `constructor`;
 * - strings that are not well-formed UTF-16 (a lone surrogate cannot be encoded as UTF-8, so it
 *   would be silently replaced on its way to BSON and Kafka; RFC 8259 §8.2) or that contain NUL;
 * - nesting deeper than {@link MAX_INPUT_DEPTH} (unbounded recursion in later transformers).
 *
 * Iterative, so a deeply nested input cannot exhaust the stack here.
 */
export function findHostileInput(value: unknown, root = ''): FieldError | undefined {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v))
        return { field: path || 'body', errors: ['contains a lone UTF-16 surrogate (not valid Unicode)'] };
      if (v.includes('\u0000')) return { field: path || 'body', errors: ['contains a NUL character'] };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH)
      return { field: path || 'body', errors: [`nested deeper than ${MAX_INPUT_DEPTH} levels`] };
    for (const key of Object.keys(v)) {
      const child = path ? `${path}.${key}` : key;
      if (!Array.isArray(v)) {
        // The field named is the one holding the bad key (a top-level bad key names itself).
        const field = path || key;
        if (key.startsWith('$')) return { field, errors: [`key "${key}": keys starting with $ are not allowed`] };
        if (key.includes('.')) return { field, errors: [`key "${key}": keys containing . are not allowed`] };
        if (PROTOTYPE_KEYS.has(key)) return { field, errors: [`key "${key}" is not allowed`] };
        if (key.includes('\u0000') || LONE_SURROGATE.test(key))
          return { field: path || 'body', errors: ['a key contains NUL or a lone surrogate'] };
      }
      stack.push({ v: (v as Record<string, unknown>)[key], path: child, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Global pipe run before validation on every `@Body()` and `@Query()`: refuses what
 * {@link findHostileInput} finds with the standard 400 (`details` names the field), whatever the
 * route's DTO, so a future DTO with a free-form object field cannot let an operator through.
 */
@Injectable()
export class HostileInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
    if (
      metadata.type === 'body' &&
      isDto(metadata.metatype) &&
      value !== undefined &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      // A DTO body is a JSON object: `null`, `[]`, `"x"` or `5` are not (RFC 8259 §4).
      throw new BadRequestException({
        message: 'Invalid request: body',
        details: [{ field: 'body', errors: ['the body must be a JSON object'] }],
      });
    }
    const problem = findHostileInput(value);
    if (problem) throw new BadRequestException({ message: `Invalid request: ${problem.field}`, details: [problem] });
    return value;
  }
}

/** True for a class used as a DTO (not a primitive wrapper, Object or Array). */
function isDto(metatype: ArgumentMetadata['metatype']): boolean {
  return typeof metatype === 'function' && ![String, Number, Boolean, Object, Array].includes(metatype as never);
}
