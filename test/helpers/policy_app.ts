// A child process for test/system-policy.test.ts and test/provider-keys.test.ts: openssl-tls under the
// OPENSSL_CONF its parent chose (OpenSSL reads its configuration once, when the
// process starts). Prints JSON lines.
//   node --require tsx/cjs test/helpers/policy_app.ts defaults   (or providers)
//   ... context '<options JSON>'          createSecureContext: {ok} or {code}
//   ... serve '<options JSON>'            a server: {port}, then one {protocol, cipher} per connection
//   ... connect <port> '<options JSON>'   one connection: {protocol, cipher} or {code}
// Option values named "read:PATH" are read from PATH.
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as tls from '../../lib/index';

const [scenario, ...args] = process.argv.slice(2);

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function options(json: string | undefined): Record<string, unknown> {
  const parsed = JSON.parse(json ?? '{}') as Record<string, unknown>;
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' && value.startsWith('read:')) parsed[key] = fs.readFileSync(value.slice(5));
  }
  return parsed;
}

function failure(err: Error & { code?: string }): Record<string, unknown> {
  return { ok: false, code: err.code ?? null, message: err.message };
}

switch (scenario) {
  case 'defaults':
    print(tls.systemDefaults());
    break;
  case 'providers':
    print(tls.providers());
    break;
  case 'context':
    try {
      tls.createSecureContext(options(args[0]));
      print({ ok: true });
    } catch (err) {
      print(failure(err as Error));
    }
    break;
  case 'serve': {
    const server = tls.createServer(options(args[0]), (socket) => {
      print({ protocol: socket.getProtocol(), cipher: socket.getCipher()?.name });
      socket.end('hello\n');
    });
    server.on('tlsClientError', (err: Error & { code?: string }) => print({ clientError: err.code ?? err.message }));
    server.listen(0, '127.0.0.1', () => print({ port: (server.address() as AddressInfo).port }));
    process.stdin.on('end', () => process.exit(0)).resume();
    break;
  }
  case 'connect': {
    const socket = tls.connect({ port: Number(args[0]), host: '127.0.0.1', ...options(args[1]) }, () => {
      print({ ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher()?.name });
      socket.destroy();
    });
    socket.on('error', (err) => print(failure(err)));
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
