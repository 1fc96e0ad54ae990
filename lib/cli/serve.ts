// `openssl-tls serve`: what `openssl s_server` is for OpenSSL, on openssl-tls. With no
// certificate it makes a self-signed one, so it works with no set-up; it logs each
// connection (protocol, cipher, ALPN, SNI, resumption, client certificate).
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as tls from '../index';
import { connectionFacts, type ConnectionFacts } from './facts';
import { EXIT, UsageError, int, list, parse, str, version, type OptionSpec } from './options';
import { connectionLine } from './report';
import { selfSigned } from './self_signed';

export const HELP = `Usage: openssl-tls serve [options]

A TLS server on openssl-tls that logs every connection: protocol, cipher, ALPN, SNI,
whether the session was resumed, and the client certificate. Without --cert/--pfx it
makes a self-signed certificate for localhost and prints its SHA-256 fingerprint.

Options:
  --port N             port to listen on (default 8443; 0 picks a free one)
  --host ADDRESS       address to listen on (default: every address)
  --cert FILE --key FILE   the server's certificate chain and key (PEM)
  --pfx FILE           the server's certificate and key as PKCS#12
  --passphrase TEXT    for an encrypted key or PFX
  --ca FILE            CA certificates (PEM) that client certificates are verified against
  --request-cert       ask clients for a certificate (logged, verified against --ca;
                       a client without one is still served)
  --alpn LIST          ALPN protocols to accept, in preference order, e.g. h2,http/1.1
  --min V, --max V     lowest and highest protocol: TLSv1.2, TLSv1.3, ...
  --http               answer each HTTP request with a page describing the connection (default)
  --echo               send back whatever each client sends
  --json               log JSON lines on stdout instead of text
  -h, --help           this text

It runs until interrupted. Exit codes: 1 it could not start, 9 invalid arguments.
`;

const SPEC: OptionSpec = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  pfx: { type: 'string' },
  passphrase: { type: 'string' },
  ca: { type: 'string' },
  'request-cert': { type: 'boolean' },
  alpn: { type: 'string' },
  min: { type: 'string' },
  max: { type: 'string' },
  http: { type: 'boolean' },
  echo: { type: 'boolean' },
};

function readFile(name: string, what: string): Buffer {
  try {
    return fs.readFileSync(name);
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${name}: ${(error as Error).message}`);
  }
}

/** The identity options, and how to describe it; makes a certificate when none is given. */
function identity(values: Record<string, string | boolean | undefined>): {
  options: tls.TlsServerOptions;
  about: Record<string, string>;
} {
  const cert = str(values, 'cert');
  const key = str(values, 'key');
  const pfx = str(values, 'pfx');
  const passphrase = str(values, 'passphrase');
  if (pfx !== undefined && (cert !== undefined || key !== undefined))
    throw new UsageError('give either --pfx or --cert and --key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  const secret = passphrase !== undefined ? { passphrase } : {};
  if (pfx !== undefined) return { options: { pfx: readFile(pfx, 'PFX file'), ...secret }, about: { certificate: pfx } };
  if (cert !== undefined && key !== undefined) {
    return {
      options: { cert: readFile(cert, 'certificate'), key: readFile(key, 'key'), ...secret },
      about: { certificate: cert },
    };
  }
  const made = selfSigned('ec');
  return {
    options: { cert: made.cert, key: made.key },
    about: { certificate: `generated, ${made.description}`, fingerprint256: made.fingerprint256 },
  };
}

/** An HTTP/1.1 answer describing the connection, once the request head is in. */
function answerHttp(socket: tls.TLSSocket, facts: ConnectionFacts): void {
  let head = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    if (head.includes('\r\n\r\n')) return;
    head += chunk;
    if (!head.includes('\r\n\r\n')) return;
    const requestLine = head.slice(0, head.indexOf('\r\n'));
    const body = `${JSON.stringify({ request: requestLine, ...facts }, null, 2)}\n`;
    socket.end(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

export async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, SPEC);
  if (values['help'] === true) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, only options (got '${positionals[0]}')`);
  if (values['http'] === true && values['echo'] === true) throw new UsageError('give either --http or --echo');
  const json = values['json'] === true;
  const mode = values['echo'] === true ? 'echo' : 'http';
  const port = int(values, 'port', 8443, 0, 65535);
  const caFile = str(values, 'ca');
  const requestCert = values['request-cert'] === true;
  if (caFile !== undefined && !requestCert)
    throw new UsageError('--ca verifies client certificates: add --request-cert');
  const alpn = list(values, 'alpn');
  const min = version(values, 'min');
  const max = version(values, 'max');
  const { options: identityOptions, about } = identity(values);

  const log = (event: Record<string, unknown>, text: string): void => {
    process.stdout.write(json ? `${JSON.stringify(event)}\n` : `${text}\n`);
  };
  const server = tls.createServer({
    ...identityOptions,
    ...(requestCert ? { requestCert: true, rejectUnauthorized: false } : {}),
    ...(caFile !== undefined ? { ca: readFile(caFile, 'CA file') } : {}),
    ...(alpn !== undefined ? { ALPNProtocols: alpn } : {}),
    ...(min !== undefined ? { minVersion: min } : {}),
    ...(max !== undefined ? { maxVersion: max } : {}),
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const facts = connectionFacts(socket);
    log({ event: 'connection', ...facts }, connectionLine(facts));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      log(
        { event: 'error', remote: facts.remote, code: error.code ?? null, message: error.message },
        `${facts.remote} error: ${error.code ?? ''} ${error.message}`,
      ),
    );
    if (mode === 'echo') socket.pipe(socket);
    else answerHttp(socket, facts);
  });
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    log(
      { event: 'tlsClientError', remote, code: error.code ?? null, message: error.message },
      `${new Date().toISOString()} ${remote} handshake failed: ${error.code ?? ''} ${error.message}`,
    );
  });

  const host = str(values, 'host');
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    process.stderr.write(`openssl-tls serve: cannot listen on port ${port}: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  const bound = (server.address() as AddressInfo).port;
  const lines = [
    `openssl-tls serve: listening on port ${bound} (${mode === 'http' ? `https://localhost:${bound}/` : 'echo'}) on ${tls.versions.openssl}`,
    `certificate: ${about['certificate'] ?? ''}`,
    ...(about['fingerprint256'] !== undefined
      ? [`SHA-256 fingerprint: ${about['fingerprint256']}`, `try: openssl-tls connect localhost:${bound} --insecure`]
      : []),
  ];
  log({ event: 'listening', port: bound, mode, openssl: tls.versions.openssl, ...about }, lines.join('\n'));
  // Runs until the process is stopped.
  return new Promise<number>(() => {});
}
