'use strict';
/**
 * Preloaded (`node -r`) into a profiled app: SIGUSR2 makes the process exit normally, so
 * `node --cpu-prof` writes its profile (it does not when a signal kills the process, which is how
 * Nest's shutdown hooks end it after SIGTERM).
 */
process.on('SIGUSR2', () => process.exit(0));
