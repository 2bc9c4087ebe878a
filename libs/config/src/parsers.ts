// Parsers of environment strings, shared by the variable classes (environment.ts,
// security-environment.ts), the cross-variable rules (security-rules.ts) and AppConfig. A leaf:
// it imports nothing of this library, so none of those files needs another of them for these.

/** `true/1/yes` → true, `false/0/no` → false; anything else is left for the validator to refuse. */
export const toBool = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? ['true', '1', 'yes'].includes(value.toLowerCase())
      ? true
      : ['false', '0', 'no'].includes(value.toLowerCase())
        ? false
        : value
    : value;

/** Decimal integer strings → numbers; anything else is left for the validator to refuse. */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/** `a, b ,c` → `['a', 'b', 'c']` (empty items dropped). */
export function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
