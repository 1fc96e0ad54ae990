// A child process for test/flags-env.test.ts: what node:tls honours from the
// environment and node's flags (NODE_EXTRA_CA_CERTS, --tls-keylog, --trace-tls,
// --tls-min/max-v1.x, --tls-cipher-list) must act the same on openssl-tls.
//   node [node flags] --require tsx/cjs test/helpers/flags_app.ts <ours|node> <scenario>
// Prints one JSON line with what the program saw.
import * as nodeTls from 'node:tls';
import type { AddressInfo } from 'node:net';
import * as ours from '../../lib/index';
import { fixture } from './fixtures';

const [impl, scenario] = process.argv.slice(2);
const tls = (impl === 'node' ? nodeTls : ours) as unknown as typeof nodeTls;

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** One connection to a server with the test CA's certificate; what the client saw. */
function pair(clientOptions: nodeTls.ConnectionOptions, serverOptions: nodeTls.TlsOptions = {}): void {
  const server = tls.createServer(
    { key: fixture('server-rsa-key.pem'), cert: fixture('server-rsa.pem'), ...serverOptions },
    (s) => {
      s.resume();
      s.end();
    },
  );
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    const client = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ...clientOptions }, () => {
      print({
        ok: true,
        authorized: client.authorized,
        protocol: client.getProtocol(),
        cipher: client.getCipher().name,
      });
      client.end();
    });
    client.on('error', (err: Error & { code?: string }) => print({ ok: false, code: err.code }));
    client.resume();
    client.on('close', () => server.close());
  });
}

switch (scenario) {
  case 'verify':
    // Trusts the default store (plus NODE_EXTRA_CA_CERTS).
    pair({});
    break;
  case 'keylog':
    pair({ rejectUnauthorized: false }, { maxVersion: 'TLSv1.2' });
    break;
  case 'defaults':
    print({
      min: tls.DEFAULT_MIN_VERSION,
      max: tls.DEFAULT_MAX_VERSION,
      ciphers: tls.DEFAULT_CIPHERS,
    });
    pair({ rejectUnauthorized: false });
    break;
  case 'debug':
    // NODE_DEBUG=tls: the lines come on stderr.
    pair({ ca: fixture('ca.pem') });
    break;
  case 'ip-servername':
    // An IP as servername: node's DEP0123 warning (on stderr), the connection still works.
    pair({ rejectUnauthorized: false, servername: '127.0.0.1' });
    break;
  case 'server-only':
    tls.createServer({});
    print({ ok: true });
    break;
  default:
    throw new Error(`unknown scenario ${String(scenario)}`);
}
