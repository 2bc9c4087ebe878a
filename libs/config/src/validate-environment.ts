import { Environment } from './environment';
import { resolveSecretFiles } from './secret-files';
import { securityProblems } from './security-rules';
import { parseSettings, RawEnvironment } from './settings';

/** The shared variables and the problems found in them (none when valid), see {@link validateEnvironment}. */
export function parseEnvironment(raw: RawEnvironment): { env: Environment; problems: string[] } {
  const secrets = resolveSecretFiles(raw);
  const { value: env, problems } = parseSettings(Environment, secrets.env);
  return { env, problems: [...secrets.problems, ...problems, ...securityProblems(env)] };
}

/**
 * Validates the variables both apps read ({@link Environment}) in `process.env`-like input.
 * `<NAME>_FILE` secrets are read first (see `resolveSecretFiles`), cross-variable security rules
 * checked last (see `securityProblems`).
 *
 * @returns the typed, defaulted configuration
 * @throws Error naming every invalid variable, e.g. `Invalid configuration: KAFKA_BROKERS: ...`
 */
export function validateEnvironment(raw: RawEnvironment): Environment {
  const { env, problems } = parseEnvironment(raw);
  if (problems.length > 0) throw invalidConfiguration(problems);
  return env;
}

/** The start-up error of an invalid configuration: `Invalid configuration: NAME: reason; ...`. */
export function invalidConfiguration(problems: string[]): Error {
  return new Error(`Invalid configuration: ${problems.join('; ')}`);
}
