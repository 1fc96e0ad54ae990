// A TLS server whose sessions survive across processes and machines: session
// ids in Redis (session-store.js) and ticket keys from Redis (ticket-keys.js).
// Run as many as you like against one Redis; a client that connected to one
// resumes on any other. Each connection gets "reused=<true|false>".
//
//   REDIS_URL=redis://127.0.0.1:6379 PORT=8443 node server.js
//
// Environment: PORT (0: any), REDIS_URL, SESSION_TIMEOUT (seconds, default 300),
// TICKET_SYNC_MS (default 60000), TLS_KEY and TLS_CERT (default server-key.pem
// and server-cert.pem in the working directory), SESSION_ID_CONTEXT.
'use strict';

const fs = require('fs');
const tls = require('openssl-tls');
const Redis = require('ioredis');
const { attachRedisSessionStore } = require('./session-store');
const { syncTicketKeys } = require('./ticket-keys');

const sessionTimeout = Number(process.env.SESSION_TIMEOUT || 300);
const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');

const server = tls.createServer(
  {
    key: fs.readFileSync(process.env.TLS_KEY || 'server-key.pem'),
    cert: fs.readFileSync(process.env.TLS_CERT || 'server-cert.pem'),
    sessionTimeout,
    // The same on every machine: node:tls's default is derived from the
    // command line, which may differ from one machine to the next.
    sessionIdContext: process.env.SESSION_ID_CONTEXT || 'redis-session-store-example',
  },
  (socket) => {
    socket.on('error', () => {});
    socket.end(`reused=${socket.isSessionReused()}\n`);
  },
);
server.on('sessionStoreError', (err) => console.error('session store:', err.message));
attachRedisSessionStore(server, redis, { sessionTimeout });

syncTicketKeys(server, redis, {
  intervalMs: Number(process.env.TICKET_SYNC_MS || 60_000),
  onChange: (keys) => console.log(`ticket keys ${keys.map((k) => k.subarray(0, 16).toString('hex')).join(' ')}`),
}).then(
  () => server.listen(Number(process.env.PORT || 0), () => console.log(`listening ${server.address().port}`)),
  (err) => {
    console.error('cannot reach Redis:', err.message);
    process.exit(1);
  },
);

const stop = () => {
  server.close();
  redis.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
