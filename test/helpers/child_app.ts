// Runs test/helpers/policy_app.ts in a child process with an OPENSSL_CONF of
// its own (OpenSSL reads its configuration once, when a process starts).
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';

const app = path.join(__dirname, 'policy_app.ts');

export function envWith(opensslConf: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENSSL_CONF: opensslConf };
  delete env['NODE_OPTIONS'];
  return env;
}

/** A one-shot scenario (defaults, providers, context, connect): its JSON lines. */
export function runApp(opensslConf: string, ...args: string[]): Array<Record<string, unknown>> {
  const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), app, ...args], {
    env: envWith(opensslConf),
    timeout: 20_000,
  }).toString();
  return out
    .split('\n')
    .filter((l) => l.startsWith('{') || l.startsWith('['))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export interface AppServer {
  port: number;
  /** Every line printed so far: {port}, then {protocol, cipher} or {clientError} per connection. */
  lines: Array<Record<string, unknown>>;
  stop(): void;
}

/** Our server in a child process under opensslConf. */
export function serveApp(opensslConf: string, options: Record<string, unknown>): Promise<AppServer> {
  const proc: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), app, 'serve', JSON.stringify(options)],
    { env: envWith(opensslConf), stdio: 'pipe' },
  );
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  return new Promise((resolve, reject) => {
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code) => reject(new Error(`policy_app serve exited (${code}): ${stderr}`)));
    proc.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        if (typeof line['port'] === 'number') resolve({ port: line['port'], lines, stop: () => proc.kill() });
      }
    });
  });
}
