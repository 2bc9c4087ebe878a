import { AppConfig } from '@herald/config';

/** The TLS part of the MongoDB driver options (`MongoClientOptions`), from MONGODB_TLS*. */
export interface MongoTlsOptions {
  tls?: boolean;
  tlsCAFile?: string;
  tlsCertificateKeyFile?: string;
  tlsAllowInvalidCertificates?: boolean;
}

/**
 * MongoDB transport security from the environment (MongoDB manual, "TLS/SSL Configuration for
 * Clients" and the driver's connection options): `MONGODB_TLS=true` turns TLS on, with the CA of
 * `MONGODB_TLS_CA_FILE`, the client certificate + key of `MONGODB_TLS_CERT_KEY_FILE` (mutual TLS /
 * x.509), and certificate checks unless `MONGODB_TLS_ALLOW_INVALID_CERTIFICATES=true` (refused in
 * production). User and password stay in `MONGODB_URI` (or `MONGODB_URI_FILE`), as the driver
 * expects; options already in the URI (e.g. `?tls=true`) keep working. Returns `{}` when off.
 */
export function mongoTlsOptions(config: AppConfig): MongoTlsOptions {
  const env = config.env;
  if (!env.MONGODB_TLS) return {};
  return {
    tls: true,
    ...(env.MONGODB_TLS_CA_FILE ? { tlsCAFile: env.MONGODB_TLS_CA_FILE } : {}),
    ...(env.MONGODB_TLS_CERT_KEY_FILE ? { tlsCertificateKeyFile: env.MONGODB_TLS_CERT_KEY_FILE } : {}),
    ...(env.MONGODB_TLS_ALLOW_INVALID_CERTIFICATES ? { tlsAllowInvalidCertificates: true } : {}),
  };
}
