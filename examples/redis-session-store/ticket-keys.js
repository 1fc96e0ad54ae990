// Session ticket keys kept in Redis, with rotation: every server issues
// tickets with the newest key and still accepts the previous ones, so a key can
// be replaced without losing the sessions of the clients that hold tickets made
// with it. Works with openssl-tls (key rings); node:tls takes only one key.
'use strict';

const { randomBytes } = require('crypto');

const KEY_LENGTH = 48; // name (16), HMAC key (16), AES key (16)

/**
 * Pushes a new key to the front of the list and keeps `keep` keys in all: the
 * new one issues tickets, the `keep - 1` before it are still accepted. Run it
 * on a schedule (cron, a timer in one process): with keep = 2 and a rotation
 * every 12 hours, a ticket stays usable for 12 to 24 hours.
 */
async function rotateTicketKeys(redis, { key = 'tls:ticket-keys', keep = 2 } = {}) {
  await redis.multi().lpush(key, randomBytes(KEY_LENGTH)).ltrim(key, 0, keep - 1).exec();
  return loadTicketKeys(redis, { key });
}

/** The keys in Redis, newest first; makes the first one if there is none. */
async function loadTicketKeys(redis, { key = 'tls:ticket-keys' } = {}) {
  let keys = await redis.lrangeBuffer(key, 0, -1);
  if (keys.length === 0) {
    // Two processes starting at once may both add one: both are accepted, and
    // every process issues with whichever is first from its next sync on.
    await redis.lpush(key, randomBytes(KEY_LENGTH));
    keys = await redis.lrangeBuffer(key, 0, -1);
  }
  return keys.filter((k) => k.length === KEY_LENGTH);
}

/**
 * Gives `server` the keys in Redis now and again every `intervalMs`:
 * server.setTicketKeys([current, ...previous]). Resolves once the first keys
 * are set (listen after that). Returns a function that stops the syncing.
 */
async function syncTicketKeys(server, redis, { key = 'tls:ticket-keys', intervalMs = 60_000, onChange } = {}) {
  let last = '';
  const apply = async () => {
    const keys = await loadTicketKeys(redis, { key });
    const fingerprint = keys.map((k) => k.subarray(0, 16).toString('hex')).join(',');
    if (keys.length === 0 || fingerprint === last) return;
    server.setTicketKeys(keys);
    last = fingerprint;
    if (onChange) onChange(keys);
  };
  await apply();
  const timer = setInterval(() => {
    apply().catch((err) => server.emit('sessionStoreError', err));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

module.exports = { rotateTicketKeys, loadTicketKeys, syncTicketKeys };
