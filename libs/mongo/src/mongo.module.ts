import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import mongoose from 'mongoose';
import { AppConfig } from '@herald/config';
import { mongoTlsOptions } from './mongo-tls';

// Reject query filters built from user input that smuggle operators ({ "$gt": "" }) and ignore
// unknown filter paths (mongoose docs: "sanitizeFilter", "strictQuery").
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', true);

/**
 * The MongoDB connection both apps use (mongoose via @nestjs/mongoose), from `MONGODB_URI`.
 *
 * `serverSelectionTimeoutMS` is short (5 s) so an outage surfaces as an error the caller can retry
 * instead of a request hanging for the driver default of 30 s.
 *
 * `connectTimeoutMS` (10 s, driver default 30 s) bounds a new connection's TCP connect and handshake
 * and also each heartbeat of the driver's server monitor (the monitor uses it as its socket
 * timeout; MongoDB Node driver `sdam/monitor.js`, SDAM spec "Network error when reading or
 * writing"). It is what ends requests stuck on a server that stopped answering without closing its
 * connections (a network blackhole): operations have no socket timeout, so they wait until a
 * heartbeat times out, which marks the server Unknown and clears its pool, interrupting the
 * connections in use (driver 6: label `InterruptInUseConnections`); they then fail with a network
 * error (503). That happens at most `heartbeatFrequencyMS` (10 s) + `connectTimeoutMS` after the
 * server went silent: 20 s instead of 40 s.
 *
 * `maxPoolSize` is `MONGODB_MAX_POOL_SIZE` (see there: FerretDB v1.24 stops answering when
 * concurrent updates take its whole PostgreSQL pool).
 *
 * `autoIndex` builds schema indexes
 * at start-up (unique indexes are part of Herald's correctness, not only of its speed). TLS from
 * MONGODB_TLS* ({@link mongoTlsOptions}); credentials in the URI.
 */
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        uri: config.env.MONGODB_URI,
        serverSelectionTimeoutMS: 5000,
        connectTimeoutMS: 10_000,
        maxPoolSize: config.env.MONGODB_MAX_POOL_SIZE,
        autoIndex: true,
        autoCreate: true,
        ...mongoTlsOptions(config),
      }),
    }),
  ],
})
export class MongoModule {}
