// TLS 1.2 session-id resumption across processes and machines: the sessions a
// server makes go to Redis ('newSession'), and any server sharing that Redis
// finds them again ('resumeSession'). Works the same on require('node:tls').
'use strict';

/**
 * The protocol version recorded in a serialized session (i2d_SSL_SESSION, DER):
 * SEQUENCE { INTEGER 1, INTEGER version, ... }. 0x0304 is TLS 1.3.
 */
function sessionVersion(der) {
  let i = 1;
  const len = der[i++];
  if (len & 0x80) i += len & 0x7f; // long-form length
  if (der[i] !== 0x02) return 0; // INTEGER: the format's version
  i += 2 + der[i + 1];
  if (der[i] !== 0x02) return 0; // INTEGER: the protocol version
  let version = 0;
  for (let k = 0; k < der[i + 1]; k++) version = version * 256 + der[i + 2 + k];
  return version;
}

/**
 * Backs a server's sessions with Redis.
 *
 * - Each session is stored under `${prefix}${id in hex}` with an expiry equal to
 *   the server's sessionTimeout, so Redis forgets it exactly when OpenSSL would
 *   refuse it anyway.
 * - TLS 1.3 sessions are not stored: TLS 1.3 resumes with tickets (see
 *   ticket-keys.js), never by session id.
 * - Redis being down never fails a handshake: a session that cannot be stored
 *   or found just means a full handshake ('sessionStoreError' on the server).
 *
 * With a 'newSession' listener the server keeps no sessions of its own: Redis
 * is the only store, shared by every process that uses it.
 */
function attachRedisSessionStore(server, redis, { sessionTimeout = 300, prefix = 'tls:session:' } = {}) {
  const keyOf = (id) => prefix + id.toString('hex');
  const failed = (err) => {
    if (server.listenerCount('sessionStoreError') > 0) server.emit('sessionStoreError', err);
  };

  server.on('newSession', (id, data, callback) => {
    // The server holds its answer to the client until callback() is called.
    if (sessionVersion(data) >= 0x0304) return callback();
    redis.set(keyOf(id), data, 'EX', sessionTimeout).then(
      () => callback(),
      (err) => {
        failed(err);
        callback();
      },
    );
  });

  server.on('resumeSession', (id, callback) => {
    redis.getBuffer(keyOf(id)).then(
      (data) => callback(null, data), // null when unknown or expired: a full handshake
      (err) => {
        failed(err);
        callback(null, null);
      },
    );
  });
}

module.exports = { attachRedisSessionStore, sessionVersion };
