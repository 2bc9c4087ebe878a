#!/usr/bin/env node
'use strict';
/**
 * Container HEALTHCHECK of both app images: GET http://127.0.0.1:<port>/health/ready, healthy on 200.
 * The port is NOTIFICATIONS_PORT (default 3001) when APP=notifications, else MESSAGES_PORT (3000).
 * Exit 0 healthy, 1 unhealthy (Docker's contract).
 */
const http = require('node:http');

const port =
  process.env.APP === 'notifications' ? process.env.NOTIFICATIONS_PORT || 3001 : process.env.MESSAGES_PORT || 3000;
const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/health/ready', timeout: 3000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
