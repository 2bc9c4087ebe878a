import { readFileSync } from 'node:fs';

/**
 * Variables that may instead be read from a file named by `<NAME>_FILE`, the convention of Docker
 * and Kubernetes secrets (a secret mounted as a file never shows in `docker inspect`, `/proc/<pid>/environ`
 * or crash dumps of the environment; OWASP Secrets Management Cheat Sheet).
 */
export const FILE_SECRETS = ['JWT_SECRET', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'MONGODB_URI'] as const;

/** Outcome of {@link resolveSecretFiles}. */
export interface ResolvedSecrets {
  /** The input with each `<NAME>_FILE` replaced by `<NAME>` = the file's content. */
  env: Record<string, unknown>;
  /** One message per unusable variable, naming it (empty when all is well). */
  problems: string[];
}

/**
 * Reads `<NAME>_FILE` secrets for {@link FILE_SECRETS} into `<NAME>` before validation. The
 * content is used as is except for one trailing newline (files written by `echo` or editors end
 * with one). Setting both `<NAME>` and `<NAME>_FILE` is refused (which one wins would be a guess);
 * an unreadable or empty file is refused too. The `_FILE` variables are removed from the result.
 *
 * @param raw `process.env`-like input
 * @param read file reader (tests)
 */
export function resolveSecretFiles(
  raw: Record<string, unknown>,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ResolvedSecrets {
  const env: Record<string, unknown> = { ...raw };
  const problems: string[] = [];
  for (const name of FILE_SECRETS) {
    const fileVar = `${name}_FILE`;
    const file = env[fileVar];
    delete env[fileVar];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${fileVar}: set either ${name} or ${fileVar}, not both`);
      continue;
    }
    try {
      const value = read(String(file)).replace(/\r?\n$/, '');
      if (value.length === 0) problems.push(`${fileVar}: file ${String(file)} is empty`);
      else env[name] = value;
    } catch (err) {
      problems.push(
        `${fileVar}: cannot read ${String(file)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  }
  return { env, problems };
}
