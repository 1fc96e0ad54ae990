// The openssl-tls command (bin/openssl-tls): serve, connect, bench. Each subcommand is
// a module of its own; this file picks one and turns its outcome into an exit code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from '../index';
import { bench, HELP as BENCH_HELP } from './bench';
import { connect, HELP as CONNECT_HELP } from './connect';
import { EXIT, UsageError } from './options';
import { serve, HELP as SERVE_HELP } from './serve';

export const HELP = `Usage: openssl-tls <command> [options]

Node's tls module on the system OpenSSL, from the command line.

Commands:
  serve     a TLS server that logs each connection (makes itself a certificate if needed)
  connect   connect to host:port, show what was negotiated, pipe stdin and stdout
  bench     one benchmark scenario against a local server, with the ratio to node:tls

Run \`openssl-tls <command> --help\` for a command's options. Every command takes --json.
Exit codes: 0 success, 1 failure, 9 invalid arguments.
`;

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number>; help: string }> = {
  serve: { run: serve, help: SERVE_HELP },
  connect: { run: connect, help: CONNECT_HELP },
  bench: { run: bench, help: BENCH_HELP },
};

/** Runs the command line `args` (without node and the script); resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS[rest[0] ?? ''] : undefined;
    process.stdout.write(topic?.help ?? HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`openssl-tls ${manifest.version} (${tls.versions.openssl})\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  try {
    if (command === undefined) throw new UsageError(`unknown command '${name}'`);
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `openssl-tls${command !== undefined ? ` ${name}` : ''}: ${error.message}\nRun 'openssl-tls ${command !== undefined ? `${name} ` : ''}--help' for usage.\n`,
      );
      return EXIT.usage;
    }
    process.stderr.write(`openssl-tls ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
}
