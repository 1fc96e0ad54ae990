// Session resumption, both sides, with node:tls's API (see docs/sessions.md).
//
// Client: the `session` option, getSession(), getTLSTicket(), isSessionReused()
// and the 'session' event, emitted for every session the server gives (TLS 1.3
// sends its tickets after the handshake), once the handshake has been verified.
//
// Server: OpenSSL's own cache (session ids) and tickets work with no listener.
// 'newSession' takes the sessions instead: the server's encrypted output is held
// back until its callback is called. 'resumeSession' is a step of the
// ClientHello pause (lib/pause.ts): the session JS finds goes back to OpenSSL
// with conn.resume({ session }).
import type { EventEmitter } from 'node:events';
import { codedError } from '../internal/errors';
import { debug } from '../internal/observe';
import { isArrayBufferView } from '../internal/validators';
import type { ClientHelloStep, Guard } from './pause';

/** A session as a native call reports it: its id and its serialized form (i2d_SSL_SESSION). */
export interface NativeSession {
  id: Buffer;
  data: Buffer;
}

/**
 * What a TLSSocket does with the sessions one native call reported. Called
 * before that call's encrypted bytes are sent (so they can be held back); the
 * function it returns runs after the handshake events of the same call.
 */
export type SessionReport = (sessions: NativeSession[]) => () => void;

/** What the client's session report needs of its socket. */
export interface SessionSocket extends EventEmitter {
  readonly destroyed: boolean;
  readonly _secureEstablished: boolean;
}

function toBuffer(view: NodeJS.ArrayBufferView): Buffer {
  return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** The client's `session` option: node:tls ignores falsy values and refuses what is not a buffer. */
export function clientSessionOption(session: unknown): Buffer | undefined {
  if (!session) return undefined;
  if (!isArrayBufferView(session)) throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', 'Session must be a buffer');
  return toBuffer(session);
}

/**
 * Client: sessions become 'session' events. As in node:tls they are reported
 * only once a 'session' listener exists (`enable` turns the native reports on),
 * and they wait for the handshake to be verified: a TLS 1.2 session comes with
 * the last handshake message, after 'secureConnect'; TLS 1.3 tickets later. A
 * client made directly is never verified, so node:tls never tells it: the
 * driver makes no report for it.
 */
export function clientSessionReport(
  socket: SessionSocket,
  enable: () => void,
  reporting: ReportingSession,
): SessionReport {
  const onListener = (event: string | symbol): void => {
    if (event !== 'session') return;
    socket.removeListener('newListener', onListener);
    enable();
  };
  socket.on('newListener', onListener);
  return (sessions) => () => {
    if (socket.destroyed) return;
    // One event per session (TLS 1.3 sends two tickets in one flight); inside each,
    // getSession() and getTLSTicket() answer for that one, as node:tls's do.
    const emit = (): void => {
      for (const s of sessions) {
        debug('client emit session');
        reporting.session = s.data;
        try {
          socket.emit('session', s.data);
        } finally {
          reporting.session = null;
        }
      }
    };
    if (socket._secureEstablished) emit();
    else socket.once('secure', emit);
  };
}

/** The session a client's 'session' event is being emitted for (null between events). */
export interface ReportingSession {
  session: Buffer | null;
}

/**
 * Server: each new session is emitted as 'newSession'(id, data, callback); the
 * socket's encrypted output is held back until every callback has been called
 * (a callback called twice counts once, as in node:tls). With no listener left
 * the session is let go at once.
 */
export function newSessionReport(server: EventEmitter, holdOutput: () => () => void): SessionReport {
  return (sessions) => {
    const releases = sessions.map(() => {
      debug('onnewsession');
      const release = holdOutput();
      return () => {
        debug('onnewsession done');
        release();
      };
    });
    return () => {
      sessions.forEach((session, i) => {
        const release = releases[i];
        if (release === undefined) return;
        if (!server.emit('newSession', session.id, session.data, () => release())) release();
      });
    };
  };
}

/**
 * Server: the 'resumeSession' step of the ClientHello pause. Asked only when
 * the client offers a session id and no TLS 1.2 ticket (a ticket resumes by
 * itself), as in node:tls. callback(null, data) resumes with that session if
 * OpenSSL accepts it, callback(null, null) goes on with a full handshake,
 * callback(err) destroys the socket with err.
 */
export function resumeSessionStep(server: EventEmitter, guard: () => Guard): ClientHelloStep {
  return (hello, answer, next) => {
    if (hello.sessionId.length === 0 || hello.tlsTicket || server.listenerCount('resumeSession') === 0) {
      next();
      return;
    }
    const callback = guard()((err?: Error | null, data?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      if (isArrayBufferView(data)) answer.session = toBuffer(data);
      next();
    });
    server.emit('resumeSession', hello.sessionId, callback);
  };
}
