// Rotates the ticket keys in Redis (see ticket-keys.js): run it on a schedule.
//
//   REDIS_URL=redis://127.0.0.1:6379 node rotate-keys.js [keep]
'use strict';

const Redis = require('ioredis');
const { rotateTicketKeys } = require('./ticket-keys');

const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
rotateTicketKeys(redis, { keep: Number(process.argv[2] || 2) }).then(
  (keys) => {
    console.log(`ticket keys ${keys.map((k) => k.subarray(0, 16).toString('hex')).join(' ')}`);
    redis.disconnect();
  },
  (err) => {
    console.error('rotation failed:', err.message);
    process.exit(1);
  },
);
