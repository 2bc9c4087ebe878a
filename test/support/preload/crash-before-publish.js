/**
 * Fault injection for test/faults/crash-after-store (loaded into a compiled messages app with
 * `node --require`, see `StartOptions.preload`): the process SIGKILLs itself at its first produce
 * call, i.e. after the group commit stored the message and its outbox entry and before anything
 * reached Kafka. The outbox relay of this process is switched off, so the only produce call is the
 * request path's. Test-only: nothing of this exists in the app itself.
 */
const path = require('node:path');

const outbox = path.resolve(__dirname, '../../../dist/apps/messages/apps/messages/src/outbox');
const { OutboxPublisher } = require(path.join(outbox, 'outbox.publisher.js'));
const { OutboxRelay } = require(path.join(outbox, 'outbox.relay.js'));

OutboxPublisher.prototype.publish = function crashBeforePublish() {
  process.kill(process.pid, 'SIGKILL');
  return new Promise(() => undefined);
};
OutboxRelay.prototype.runOnce = async function noRelay() {
  return 0;
};
