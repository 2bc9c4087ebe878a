import { ValidateIf } from 'class-validator';

/**
 * Like class-validator's `@IsOptional()` but only for a missing property: `null` is validated (and
 * so refused by the type rule that follows), because the OpenAPI document does not declare these
 * properties `nullable` (OpenAPI 3.0 Schema Object) and `null` must not reach code that expects a
 * string or a boolean.
 */
export const IsOptionalNotNull = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);
