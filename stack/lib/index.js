'use strict';
/**
 * Programmatic API of the local stack (Kafka + FerretDB + its PostgreSQL), for stack/cli.js and for tests
 * (e.g. fault tests that stop a server and start it again):
 *   startKafka(), stopKafka({signal}), waitKafka(timeoutMs)
 *   startMongo(), stopMongo({signal}), waitMongo(timeoutMs)
 *   startPostgres(), stopPostgres(), postgresState(), postgresUrl()   (STACK_MONGO_BACKEND=postgresql)
 *   stackEnv() -> {KAFKA_BROKERS, MONGODB_URI}
 *   up(), down({purge}), status(), readTopics(), ensureTopics(brokers)
 * State lives in `.stack/` at the repo root, or in env HERALD_STACK_DIR when set; downloads and
 * builds (Kafka jars, FerretDB binary) in env HERALD_STACK_CACHE_DIR when set, else there too.
 */
const { paths, stackEnv, isExternal } = require('./config');
const { StackError, tail } = require('./proc');
const { startKafka, stopKafka, waitKafka, kafkaClient } = require('./kafka');
const { startMongo, stopMongo, waitMongo, mongoDriver } = require('./ferretdb');
const { readTopics, ensureTopics } = require('./topics');
const { startPostgres, stopPostgres, postgresState, postgresUrl } = require('./postgres');
const { mongoBackend } = require('./config');
const { up, down, status } = require('./stack');

module.exports = {
  paths,
  stackEnv,
  isExternal,
  StackError,
  tail,
  startKafka,
  stopKafka,
  waitKafka,
  kafkaClient,
  startMongo,
  stopMongo,
  waitMongo,
  mongoDriver,
  mongoBackend,
  startPostgres,
  stopPostgres,
  postgresState,
  postgresUrl,
  readTopics,
  ensureTopics,
  up,
  down,
  status,
};
