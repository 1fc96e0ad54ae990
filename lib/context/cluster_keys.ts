// Session ticket keys shared by cluster workers, with no user code: a ticket
// one worker issues resumes on any other.
//
// The primary makes one key (48 random bytes) the first time a worker asks and
// gives the same one to every worker. A worker's Server asks for it over the
// cluster IPC channel when it is created and delays listen() until the answer
// is in, so it never accepts a connection with keys of its own. `ticketKeys`
// (option) and server.setTicketKeys() still override.
//
// The primary answers only if it has loaded openssl-tls (index.ts installs the
// answering side); it says so to its workers through an environment variable
// they inherit, holding its pid, so a worker whose primary will not answer (a
// variable inherited from further up: another pid) does not wait. A primary
// slower than WAIT_MS leaves the worker with its own keys and a warning.
//
// The messages are ordinary cluster messages, { 'openssl-tls:ticket-keys': ... }:
// a 'message' listener of the application sees them too.
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';

const TAG = 'openssl-tls:ticket-keys';
/** Set by a primary that answers, to its pid; inherited by the workers it forks. */
export const CLUSTER_ENV = 'OPENSSL_TLS_CLUSTER_TICKET_KEYS';
const WAIT_MS = 5000;
const KEY_LENGTH = 48;

type Message = { [TAG]: 'request' } | { [TAG]: 'reply'; keys: string };

function isMessage(value: unknown, kind: 'request' | 'reply'): value is Message {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[TAG] === kind;
}

let primaryKeys: Buffer | null = null;
let primaryInstalled = false;

/** Primary: answer the workers' requests for the shared key. Idempotent; nothing in a worker. */
export function installClusterPrimary(): void {
  if (primaryInstalled || !cluster.isPrimary) return;
  primaryInstalled = true;
  process.env[CLUSTER_ENV] = String(process.pid);
  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage(message, 'request')) return;
    primaryKeys ??= randomBytes(KEY_LENGTH);
    const reply: Message = { [TAG]: 'reply', keys: primaryKeys.toString('base64') };
    // A worker gone meanwhile: the error goes to the callback, not to an 'error' event.
    worker.send(reply, () => {});
  });
}

let workerRequest: Promise<Buffer | null> | null = null;

/**
 * Worker: the cluster's shared key, or null when this process is not a worker
 * of a primary that answers (then there is nothing to wait for). The promise
 * resolves to null if the primary does not answer in time. Asked once per process.
 */
export function clusterTicketKeys(): Promise<Buffer | null> | null {
  if (!cluster.isWorker || process.env[CLUSTER_ENV] !== String(process.ppid) || typeof process.send !== 'function') {
    return null;
  }
  workerRequest ??= new Promise<Buffer | null>((resolve) => {
    let done = false;
    const finish = (keys: Buffer | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Also lets go of the IPC channel's reference again.
      process.removeListener('message', onMessage);
      if (keys === null) {
        process.emitWarning('openssl-tls: the cluster primary sent no session ticket keys; this worker uses its own');
      }
      resolve(keys);
    };
    const onMessage = (message: unknown): void => {
      if (!isMessage(message, 'reply') || !('keys' in message)) return;
      const keys = Buffer.from(message.keys, 'base64');
      finish(keys.length === KEY_LENGTH ? keys : null);
    };
    const timer = setTimeout(() => finish(null), WAIT_MS);
    process.on('message', onMessage);
    const request: Message = { [TAG]: 'request' };
    process.send?.(request, undefined, undefined, (err: Error | null) => {
      if (err) finish(null);
    });
  });
  return workerRequest;
}
