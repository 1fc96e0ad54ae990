// A cluster program for test/cluster.test.ts, written as a user would: no code
// about ticket keys. The primary forks two workers; each listens on a port of
// its own (exclusive, so a client can pick the worker) and answers every
// connection with "worker <n> reused=<bool> keys=<hex of getTicketKeys()>".
//
//   node --require tsx/cjs test/helpers/cluster_app.ts [shared|override]
//
// override: the second worker is given ticketKeys of its own (they must win).
// Prints "LISTENING <n> <port>" for each worker.
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as tls from '../../lib/index';
import { fixture } from './fixtures';

const WORKERS = 2;

if (cluster.isPrimary) {
  const mode = process.argv[2] ?? 'shared';
  for (let n = 1; n <= WORKERS; n++) cluster.fork({ APP_WORKER: String(n), APP_MODE: mode });
  const stop = (): void => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  cluster.on('exit', (worker, code, signal) => {
    if (code !== 0 && signal === null) console.log(`WORKER EXITED ${worker.id} ${code}`);
  });
} else {
  const n = process.env.APP_WORKER ?? '?';
  const own = process.env.APP_MODE === 'override' && n === '2' ? { ticketKeys: randomBytes(48) } : {};
  const server = tls.createServer(
    { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem'), ...own },
    (socket) => {
      socket.end(
        `worker ${n} reused=${String(socket.isSessionReused())} keys=${server.getTicketKeys().toString('hex')}\n`,
      );
    },
  );
  server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
    console.log(`LISTENING ${n} ${(server.address() as AddressInfo).port}`);
  });
}
