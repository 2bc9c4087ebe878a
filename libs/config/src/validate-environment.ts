import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describeErrors } from '@herald/contracts';
import { Environment } from './environment';
import { resolveSecretFiles } from './secret-files';
import { securityProblems } from './security-rules';

/**
 * Validates `process.env`-like input. Used as `ConfigModule.forRoot({ validate })`. `<NAME>_FILE`
 * secrets are read first (see `resolveSecretFiles`), cross-variable security rules checked last
 * (see `securityProblems`).
 *
 * @returns the typed, defaulted configuration
 * @throws Error naming every invalid variable, e.g. `Invalid configuration: KAFKA_BROKERS: ...`
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const secrets = resolveSecretFiles(raw);
  const defined = Object.fromEntries(Object.entries(secrets.env).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  const problems = [...secrets.problems, ...describeErrors(errors)];
  problems.push(...securityProblems(env));
  if (problems.length > 0) {
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return env;
}
