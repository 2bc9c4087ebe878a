import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** One invalid field of a request, as returned in `details` of a 400. */
export interface FieldError {
  /** Dotted path of the field, e.g. `recipientIds.0`. */
  field: string;
  /** Human-readable rule violations for that field. */
  errors: string[];
}

/** Flattens class-validator errors into one {@link FieldError} per offending field path. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, errors: Object.values(e.constraints) }] : [];
    return [...own, ...toFieldErrors(e.children ?? [], field)];
  });
}

/**
 * The request validation both apps use: DTO classes with class-validator rules, unknown properties
 * rejected (`forbidNonWhitelisted`), query strings converted to the DTO's types. A failure is a 400
 * whose `message` names the fields and whose `details` lists them ({@link FieldError}[]).
 */
export function heraldValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = toFieldErrors(errors);
      const fields = [...new Set(details.map((d) => d.field))].join(', ');
      return new BadRequestException({ message: `Invalid request: ${fields}`, details });
    },
  });
}
