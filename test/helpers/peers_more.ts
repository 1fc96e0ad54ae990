// More real TLS peers for the interop matrix (test/interop.test.ts): GnuTLS's
// gnutls-cli/gnutls-serv, curl, and Python's ssl module (test/helpers/py_tls_peer.py),
// plus parsers for what each prints about the connection. Like helpers/peers.ts every
// wait is bounded and every child is tracked: stopMorePeers() ends whatever is left.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

const STOP_GRACE_MS = 2_000;
const running = new Set<ChildProcessWithoutNullStreams>();

process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function exited(child: ChildProcessWithoutNullStreams): boolean {
  return child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (!exited(child)) {
    const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(timer);
  }
  running.delete(child);
}

/** Stops every child process started here. */
export async function stopMorePeers(): Promise<void> {
  await Promise.all([...running].map((child) => stop(child)));
}

function spawnTracked(cmd: string, args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(cmd, args, { stdio: 'pipe' });
  running.add(child);
  child.once('close', () => running.delete(child));
  child.stdin.on('error', () => {});
  child.on('error', () => {});
  return child;
}

function timeoutError(what: string, ms: number, detail: string): Error {
  return Object.assign(new Error(`timed out after ${ms} ms waiting for ${what}${detail}`), {
    code: 'ERR_TEST_TIMEOUT',
  });
}

/** Polls `test` every 5 ms until it is true; rejects after `timeoutMs` with what() in the message. */
export function waitUntil(test: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (test()) {
      resolve();
      return;
    }
    const started = Date.now();
    const timer = setInterval(() => {
      if (test()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(timeoutError('a condition', timeoutMs, `: ${what()}`));
      }
    }, 5);
  });
}

// ---------------------------------------------------------------- one-shot clients

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** latin1: one character per byte. */
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: Buffer | string;
  /** Keep stdin open until stdout contains this (the echo), then end it. */
  waitFor?: string;
  timeoutMs?: number;
}

/** Runs a command to its end; stdin gets `input` and is ended at once or after `waitFor` shows on stdout. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 8_000;
  const child = spawnTracked(cmd, args);
  let stdout = '';
  let stderr = '';
  let ended = false;
  const endInput = (): void => {
    if (!ended) {
      ended = true;
      child.stdin.end();
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('latin1');
    if (opts.waitFor !== undefined && stdout.includes(opts.waitFor)) endInput();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('latin1')));
  if (opts.input !== undefined) child.stdin.write(opts.input);
  if (opts.waitFor === undefined) endInput();
  return new Promise<RunResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(child);
      reject(timeoutError(`${cmd} to exit`, timeoutMs, `; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------- long-running servers

export interface ProcessServer {
  port: number;
  proc: ChildProcessWithoutNullStreams;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the output after `from` once it matches `expected`. */
  waitSince(from: number, expected: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

function processServer(child: ChildProcessWithoutNullStreams): ProcessServer {
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('latin1')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('latin1')));
  return {
    port: 0,
    proc: child,
    output: () => output,
    waitSince: async (from, expected, timeoutMs = 5_000) => {
      await waitUntil(
        () => expected.test(output.slice(from)) || exited(child),
        timeoutMs,
        () => `${String(expected)} in output:\n${output.slice(from)}`,
      );
      if (!expected.test(output.slice(from))) throw new Error(`${child.spawnargs[0]} exited; output:\n${output}`);
      return output.slice(from);
    },
    stop: () => stop(child),
  };
}

async function waitReady(server: ProcessServer, ready: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  await server.waitSince(0, ready, timeoutMs);
  const match = ready.exec(server.output());
  if (match === null) throw new Error('unreachable');
  return match;
}

/** A port nothing listens on right now (IPv4 and IPv6 wildcard), for peers that cannot bind port 0. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '::', () => resolve());
  });
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * `gnutls-serv --echo -p PORT ...args` on a free port; resolves once it listens. It echoes
 * what each client sends (LF-terminated text is safest: it turns CRLF into LF) and prints
 * "- Version: TLS1.3", "- Cipher: AES-256-GCM" and so on for each connection.
 */
export async function startGnutlsServer(args: string[], timeoutMs = 5_000): Promise<ProcessServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = processServer(spawnTracked('gnutls-serv', ['--echo', '-p', String(port), ...args]));
    server.port = port;
    try {
      await waitReady(server, /listening on IPv4 \S+ port \d+\.\.\.done/, timeoutMs);
      return server;
    } catch (error) {
      // Most likely someone took the port between the probe and the bind: try another.
      lastError = error;
      await server.stop();
    }
  }
  throw lastError;
}

/** ['--x509certfile', ..., '--x509keyfile', ...] for a fixture pair given as absolute paths. */
export function gnutlsCertArgs(cert: string, key: string): string[] {
  return ['--x509certfile', cert, '--x509keyfile', key];
}

/** GnuTLS priority string allowing exactly one version. */
export function gnutlsPriority(version: 'TLSv1.2' | 'TLSv1.3'): string {
  return `NORMAL:-VERS-ALL:+VERS-TLS${version.slice(4)}`;
}

const pythonPeer = path.join(__dirname, 'py_tls_peer.py');
let pythonExe: string | undefined;

/** The real interpreter behind `python3` (skips a pyenv shim's start-up cost on every run). */
export function python(): string {
  pythonExe ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();
  return pythonExe;
}

export interface PythonSecure {
  event: 'secure';
  version: string;
  cipher: string;
  peer_cn: string | null;
}

/** The Python ssl echo server (py_tls_peer.py server ...args); each connection prints one JSON line. */
export async function startPythonServer(args: string[], timeoutMs = 5_000): Promise<ProcessServer> {
  const server = processServer(spawnTracked(python(), [pythonPeer, 'server', ...args]));
  const match = await waitReady(server, /"event": "ready", "port": (\d+)/, timeoutMs);
  server.port = Number(match[1]);
  return server;
}

export interface PythonClientResult {
  version?: string;
  cipher?: string;
  /** hex */
  echo?: string;
  error?: string;
}

/** py_tls_peer.py client: sends `data`, reads as many bytes back, reports version and cipher. */
export async function runPythonClient(
  port: number,
  data: Buffer,
  args: string[],
  timeoutMs = 8_000,
): Promise<PythonClientResult> {
  const result = await run(
    python(),
    [pythonPeer, 'client', '--port', String(port), '--data', data.toString('hex'), ...args],
    { timeoutMs },
  );
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as PythonClientResult;
  } catch {
    return { error: `exit ${String(result.code)}: ${result.stdout}${result.stderr}` };
  }
}

// ---------------------------------------------------------------- what peers print

export interface Negotiated {
  /** 'TLSv1.2' or 'TLSv1.3', as node:tls spells it. */
  protocol?: string;
  /** As the peer names it: OpenSSL names for OpenSSL peers, e.g. 'AES-256-GCM' for GnuTLS. */
  cipher?: string;
  /** GnuTLS only: the key exchange, e.g. 'ECDHE-RSA' (TLS 1.2). */
  kx?: string;
}

/** `openssl s_client -brief` (stderr) or `s_server` (stdout): "Protocol version:" and "Ciphersuite:". */
export function parseOpenSSL(text: string): Negotiated {
  return {
    protocol: /^Protocol version: (\S+)/m.exec(text)?.[1],
    cipher: /^Ciphersuite: (\S+)/m.exec(text)?.[1],
  };
}

/** gnutls-cli -V or gnutls-serv: "- Version: TLS1.3", "- Cipher: AES-256-GCM", "- Key Exchange: ECDHE-RSA". */
export function parseGnutls(text: string): Negotiated {
  const version = /^- Version: TLS(\d\.\d)/m.exec(text)?.[1];
  return {
    protocol: version === undefined ? undefined : `TLSv${version}`,
    cipher: /^- Cipher: (\S+)/m.exec(text)?.[1],
    kx: /^- Key Exchange: (\S+)/m.exec(text)?.[1],
  };
}

/** `curl -v` with its OpenSSL backend: "* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384". */
export function parseCurl(stderr: string): Negotiated {
  const match = /SSL connection using (\S+) \/ (\S+)/.exec(stderr);
  return { protocol: match?.[1], cipher: match?.[2] };
}

/**
 * Whether GnuTLS's description of a suite (cipher 'AES-256-GCM', 'CHACHA20-POLY1305';
 * key exchange 'ECDHE-RSA' in TLS 1.2) names the suite whose IANA name is `standardName`.
 */
export function gnutlsMatches(n: Negotiated, standardName: string): boolean {
  if (n.cipher === undefined) return false;
  const bulk = n.cipher.replace(/-/g, '_');
  if (!standardName.includes(`_${bulk}_`) && !standardName.endsWith(`_${bulk}`)) return false;
  if (n.kx === undefined) return standardName.startsWith('TLS_') && !standardName.includes('_WITH_');
  return standardName.startsWith(`TLS_${n.kx.replace(/-/g, '_')}_WITH_`);
}
