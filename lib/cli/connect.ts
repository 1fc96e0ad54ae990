// `openssl-tls connect host[:port]`: what `openssl s_client` is for OpenSSL, on
// openssl-tls. Prints what was negotiated and the server's chain, then copies stdin
// to the connection and the connection to stdout.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from '../index';
import { connectionFacts, type ConnectionFacts } from './facts';
import { ocspStatus, type OcspStatus } from './ocsp_status';
import { EXIT, UsageError, list, parse, str, version, type OptionSpec } from './options';
import { connectionBlock } from './report';

export const HELP = `Usage: openssl-tls connect host[:port] [options]

Connects (port 443 unless given), prints on stderr the protocol, cipher, key exchange
group, ALPN, session reuse, stapled OCSP status, the verification result and the
server's chain, then copies stdin to the connection and what the server sends to
stdout, like openssl s_client. The end of stdin ends the connection.

Options:
  --servername NAME    SNI and the name checked (default: host, unless an IP address)
  --alpn LIST          offer these ALPN protocols, e.g. h2,http/1.1
  --ca FILE            trust the CA certificates in FILE (PEM), not the system's store
  --cert FILE --key FILE   present this client certificate
  --insecure           carry on when the server's certificate does not verify
  --min V, --max V     lowest and highest protocol: TLSv1.2, TLSv1.3, ...
  --session-out FILE   save the session, to resume it with --session-in
  --session-in FILE    resume the session saved in FILE
  --keylog FILE        append the connection's secrets (NSS key log format, for Wireshark)
  --json               print the description as JSON on stdout and close after the handshake
  -h, --help           this text

Exit codes: 0 connected and closed, 1 the connection or its verification failed,
9 invalid arguments.
`;

const SPEC: OptionSpec = {
  servername: { type: 'string' },
  alpn: { type: 'string' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean', short: 'k' },
  min: { type: 'string' },
  max: { type: 'string' },
  'session-out': { type: 'string' },
  'session-in': { type: 'string' },
  keylog: { type: 'string' },
};

/** 'host', 'host:port', '[v6]:port' as host and port. */
export function parseTarget(target: string): { host: string; port: number } {
  const m =
    /^\[([^\]]+)\](?::(\d+))?$/.exec(target) ??
    /^([^:]+)(?::(\d+))?$/.exec(target) ??
    (net.isIPv6(target) ? [target, target] : null);
  const host = m?.[1];
  const port = Number(m?.[2] ?? 443);
  if (host === undefined || host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`expected host[:port], not '${target}'`);
  }
  return { host, port };
}

function readFile(name: string, what: string): Buffer {
  try {
    return fs.readFileSync(name);
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${name}: ${(error as Error).message}`);
  }
}

/** Resolves once `socket` is secure; rejects with its error. */
function secured(socket: tls.TLSSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      resolve();
    });
    socket.once('error', reject);
  });
}

function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code !== undefined && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : String(e.message ?? error);
}

export async function connect(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, SPEC);
  if (values['help'] === true) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('connect takes one host[:port]');
  const target = positionals[0] ?? '';
  const { host, port } = parseTarget(target);
  const json = values['json'] === true;
  const insecure = values['insecure'] === true;
  const caFile = str(values, 'ca');
  const certFile = str(values, 'cert');
  const keyFile = str(values, 'key');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--cert and --key go together');
  const sessionIn = str(values, 'session-in');
  const sessionOut = str(values, 'session-out');
  const keylog = str(values, 'keylog');
  const servername = str(values, 'servername') ?? (net.isIP(host) === 0 ? host : undefined);

  const options: tls.ConnectionOptions = {
    host,
    port,
    rejectUnauthorized: !insecure,
    requestOCSP: true,
    ...(servername !== undefined ? { servername } : {}),
    ...(list(values, 'alpn') !== undefined ? { ALPNProtocols: list(values, 'alpn') } : {}),
    ...(caFile !== undefined ? { ca: readFile(caFile, 'CA file') } : {}),
    ...(certFile !== undefined && keyFile !== undefined
      ? { cert: readFile(certFile, 'certificate'), key: readFile(keyFile, 'key') }
      : {}),
    ...(version(values, 'min') !== undefined ? { minVersion: version(values, 'min') } : {}),
    ...(version(values, 'max') !== undefined ? { maxVersion: version(values, 'max') } : {}),
    ...(sessionIn !== undefined ? { session: readFile(sessionIn, 'session') } : {}),
  };

  const socket = tls.connect(options);
  let ocsp: OcspStatus | null = null;
  socket.on('OCSPResponse', (response: Buffer | null | undefined) => {
    if (response === null || response === undefined || response.length === 0) return;
    try {
      ocsp = ocspStatus(response);
    } catch (error) {
      ocsp = { responseStatus: `unreadable (${(error as Error).message})` };
    }
  });
  if (keylog !== undefined) socket.on('keylog', (line: Buffer) => fs.appendFileSync(keylog, line));
  const sessionSaved = new Promise<void>((resolve) => {
    socket.on('session', (session: Buffer) => {
      if (sessionOut !== undefined) fs.writeFileSync(sessionOut, session);
      resolve();
    });
  });

  try {
    await secured(socket);
  } catch (error) {
    process.stderr.write(`openssl-tls connect: ${target}: ${describeError(error)}\n`);
    socket.destroy();
    return EXIT.failure;
  }
  // A client socket reports no servername of its own: say which one was sent.
  const facts: ConnectionFacts = { ...connectionFacts(socket), servername: servername ?? false };
  if (json) {
    // The session (a TLS 1.3 ticket comes after the handshake) before closing.
    if (sessionOut !== undefined) await Promise.race([sessionSaved, new Promise((r) => setTimeout(r, 2000))]);
    process.stdout.write(`${JSON.stringify({ target, ...facts, ocsp })}\n`);
    socket.end();
    await new Promise((resolve) => socket.once('close', resolve));
    return EXIT.ok;
  }
  process.stderr.write(connectionBlock(target, facts, ocsp, insecure));
  return pipe(socket);
}

/** stdin to the connection, the connection to stdout; resolves with the exit code when it closes. */
function pipe(socket: tls.TLSSocket): Promise<number> {
  return new Promise((resolve) => {
    let failed = false;
    socket.on('error', (error) => {
      failed = true;
      process.stderr.write(`openssl-tls connect: ${describeError(error)}\n`);
    });
    socket.pipe(process.stdout, { end: false });
    process.stdin.pipe(socket);
    socket.once('close', () => {
      process.stdin.unpipe(socket);
      process.stdin.pause();
      resolve(failed ? EXIT.failure : EXIT.ok);
    });
  });
}
