// Real TLS peers for integration tests: the openssl CLI as child processes, and
// node:tls. Every wait is bounded, every peer is tracked, and stopAllPeers()
// (registered per suite by usePeerCleanup()) kills or closes whatever is left.
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import * as tls from 'node:tls';
import { fixturePath } from './fixtures';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** How long a peer gets to exit after SIGTERM before it is SIGKILLed. */
const STOP_GRACE_MS = 2_000;

export interface TimeoutError extends Error {
  code: 'ERR_TEST_TIMEOUT';
}

function timeoutError(what: string, timeoutMs: number, detail = ''): TimeoutError {
  const error = new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`) as TimeoutError;
  error.code = 'ERR_TEST_TIMEOUT';
  return error;
}

// ---------------------------------------------------------------- cleanup

const processes = new Set<ChildProcess>();
const sockets = new Set<tls.TLSSocket>();
const servers = new Set<NodeTlsServer>();

// Last resort when mocha exits without running after-hooks (only sync work is possible here).
process.on('exit', () => {
  for (const child of processes) child.kill('SIGKILL');
});

/** Destroys every node:tls socket, closes every server and stops every child process started here. */
export async function stopAllPeers(): Promise<void> {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all([...servers].map((server) => server.close()));
  await Promise.all([...processes].map((child) => stopProcess(child)));
}

/** How many peers started here are still open or running. */
export function livePeers(): number {
  return processes.size + sockets.size + servers.size;
}

/** Call inside a describe(): stops every peer after each test, passing or failing. */
export function usePeerCleanup(): void {
  afterEach(stopAllPeers);
}

function exited(child: ChildProcess): boolean {
  // No pid: it never started (spawn failed), and 'exit' may never come.
  return child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (!exited(child)) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(timer);
  }
  processes.delete(child);
}

function track(child: ChildProcessWithoutNullStreams): void {
  processes.add(child);
  child.once('exit', () => processes.delete(child));
  child.once('close', () => processes.delete(child)); // the only event when spawn fails
  // A peer that exits while we write must not crash the test run with EPIPE; spawn
  // failures reach the caller through the promise that is waiting.
  child.stdin.on('error', () => {});
  child.on('error', () => {});
}

// ---------------------------------------------------------------- waiting

/**
 * Resolves with the arguments of the next `event`; rejects on 'error' (unless that is the
 * event awaited) and after `timeoutMs` with code ERR_TEST_TIMEOUT.
 */
export function once<T extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  event: string | symbol,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (...args: unknown[]): void => {
      finish();
      resolve(args as T);
    };
    const onError = (error: unknown): void => {
      finish();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const timer = setTimeout(() => {
      finish();
      reject(timeoutError(`'${String(event)}'`, timeoutMs));
    }, timeoutMs);
    function finish(): void {
      clearTimeout(timer);
      emitter.off(event, onEvent);
      emitter.off('error', onError);
    }
    emitter.on(event, onEvent);
    if (event !== 'error') emitter.on('error', onError);
  });
}

/** Every byte `stream` gives until 'end'. Rejects on 'error', on 'close' before 'end', and on timeout. */
export function collect(stream: Readable, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sofar = (): string => ` (${Buffer.concat(chunks).length} bytes so far)`;
    const onData = (chunk: Buffer | string): void => {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    };
    const onEnd = (): void => {
      finish();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      finish();
      reject(error);
    };
    const onClose = (): void => {
      finish();
      reject(new Error(`stream closed before 'end'${sofar()}`));
    };
    const timer = setTimeout(() => {
      finish();
      reject(timeoutError("the stream's 'end'", timeoutMs, sofar()));
    }, timeoutMs);
    function finish(): void {
      clearTimeout(timer);
      stream.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    }
    stream.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * Resolves once `read()` contains `expected`, checking after each chunk on the child's
 * stdout or stderr; rejects when the child fails or exits first, or after `timeoutMs`.
 */
function waitForOutput(
  child: ChildProcessWithoutNullStreams,
  read: () => string,
  expected: string | RegExp,
  timeoutMs: number,
): Promise<void> {
  const what = child.spawnargs.slice(0, 2).join(' ');
  const seen = (): boolean => (typeof expected === 'string' ? read().includes(expected) : expected.test(read()));
  if (seen()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    // 'data' listeners run in order; ours come after the ones that append to read().
    const check = (): void => {
      if (!seen()) return;
      finish();
      resolve();
    };
    const onError = (error: Error): void => {
      finish();
      reject(error);
    };
    const onClose = (code: number | null, signal: string | null): void => {
      finish();
      reject(new Error(`${what} exited (${signal ?? code}) before printing ${String(expected)}; output:\n${read()}`));
    };
    const timer = setTimeout(() => {
      finish();
      reject(timeoutError(`${what} to print ${String(expected)}`, timeoutMs, `; output:\n${read()}`));
    }, timeoutMs);
    function finish(): void {
      clearTimeout(timer);
      child.stdout.off('data', check);
      child.stderr.off('data', check);
      child.off('error', onError).off('close', onClose);
    }
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('error', onError).on('close', onClose);
  });
}

// ---------------------------------------------------------------- openssl s_server

/** ['-cert', ..., '-key', ...] for a generated fixture pair, e.g. certArgs('server-rsa'). */
export function certArgs(name: string): string[] {
  return ['-cert', fixturePath(`${name}.pem`), '-key', fixturePath(`${name}-key.pem`)];
}

export interface PeerOptions {
  /** Bound on starting (server) or on the whole run (client). Default 10 s. */
  timeoutMs?: number;
  /** The peer's environment (default: this process's), e.g. an OPENSSL_CONF of its own. */
  env?: NodeJS.ProcessEnv;
}

export interface OpenSSLServer {
  port: number;
  proc: ChildProcessWithoutNullStreams;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves once output() contains `expected` (e.g. bytes a client sent: s_server prints them). */
  waitForOutput(expected: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Sends bytes to the connected client (s_server copies its stdin to the TLS connection). */
  write(data: Buffer | string): void;
  /** SIGTERM, then SIGKILL after 2 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/**
 * Runs `openssl s_server -accept 127.0.0.1:0 ...args` and resolves once it prints
 * "ACCEPT 127.0.0.1:PORT" (OpenSSL 3 binds port 0 and prints the port it got, so there
 * is no race for a free port). Pass at least a certificate: `certArgs('server-rsa')`.
 *
 * Notes: s_server serves one connection at a time and keeps accepting until stopped
 * (`-naccept 1` makes it exit after one). Without -quiet it treats a line that
 * starts with q, Q, r, R, P, S, k or K on its stdin as a command; stdin stays open because
 * end of stdin makes it quit. Useful modes: `-rev` echoes each line reversed, `-www`
 * answers "GET /" with a status page.
 */
export async function startOpenSSLServer(args: string[], opts: PeerOptions = {}): Promise<OpenSSLServer> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // A caller may name its own '-accept' (a fixed port some program expects).
  const acceptArgs = args.includes('-accept') ? [] : ['-accept', '127.0.0.1:0'];
  const proc = spawn('openssl', ['s_server', ...acceptArgs, ...args], { stdio: 'pipe', env: opts.env });
  track(proc);
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('latin1')));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('latin1')));
  const server: OpenSSLServer = {
    port: 0,
    proc,
    output: () => output,
    waitForOutput: (expected, waitMs = DEFAULT_TIMEOUT_MS) => waitForOutput(proc, () => output, expected, waitMs),
    write: (data) => void proc.stdin.write(data),
    stop: () => stopProcess(proc),
  };
  try {
    await waitForOutput(proc, () => output, /^ACCEPT( \S+:\d+)?$/m, timeoutMs);
  } catch (error) {
    await stopProcess(proc);
    throw error;
  }
  const match = /^ACCEPT \S+:(\d+)$/m.exec(output);
  const given = args[args.indexOf('-accept') + 1];
  server.port = Number(match?.[1] ?? given?.split(':').pop());
  return server;
}

// ---------------------------------------------------------------- openssl s_client

export interface OpenSSLClientOptions extends PeerOptions {
  /**
   * Keep stdin open until stdout contains this, then end it. Without it stdin ends right
   * after `input` is written, and s_client (which reads stdin only once the handshake is
   * done) closes the connection at that end of stdin, usually before any reply arrives.
   */
  waitFor?: string | RegExp;
}

export interface OpenSSLClientResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout as latin1 text: one character per byte, so binary replies survive. */
  stdout: string;
  stderr: string;
}

/**
 * Runs `openssl s_client -connect 127.0.0.1:PORT ...args`, writes `input` to its stdin
 * and resolves when it exits. Rejects (after killing it) when it outlives `timeoutMs`.
 *
 * To see the server's reply: pass `waitFor` (the reply, or part of it). Add `-quiet` to
 * get only the application data on stdout, with `-no_ign_eof` after it: -quiet alone
 * implies -ign_eof, which keeps the connection open after stdin ends until the server
 * closes. Without -quiet/-ign_eof, a line of input starting with Q, R, k or K is a
 * command (quit, renegotiate, key update), as renegotiation tests want.
 * s_client reports verification failures but carries on unless `-verify_return_error`.
 */
export function runOpenSSLClient(
  port: number,
  args: string[],
  input: Buffer | string = '',
  opts: OpenSSLClientOptions = {},
): Promise<OpenSSLClientResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const proc = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], {
    stdio: 'pipe',
    env: opts.env,
  });
  track(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('latin1')));
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('latin1')));

  proc.stdin.write(input);
  if (opts.waitFor === undefined) {
    proc.stdin.end();
  } else {
    // The overall timeout below bounds this wait; a failed wait just leaves stdin open.
    waitForOutput(proc, () => stdout, opts.waitFor, timeoutMs).then(
      () => proc.stdin.end(),
      () => {},
    );
  }

  return new Promise<OpenSSLClientResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stopProcess(proc);
      reject(timeoutError('openssl s_client to exit', timeoutMs, `; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    proc.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close', not 'exit': all of stdout and stderr has been read by then.
    proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------- node:tls peers

export interface NodeTlsServer {
  server: tls.Server;
  port: number;
  /** Errors from handshakes that failed ('tlsClientError'). */
  clientErrors: Error[];
  /** 'error' events of established sockets (a peer's reset, say), recorded instead of thrown. */
  socketErrors: Error[];
  /** Destroys open connections and closes the server. */
  close(): Promise<void>;
}

/** A node:tls server on 127.0.0.1 and a free port; `onSocket` gets each secure connection. */
export async function startNodeTlsServer(
  options: tls.TlsOptions,
  onSocket: (socket: tls.TLSSocket) => void,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<NodeTlsServer> {
  const server = tls.createServer(options);
  const connections = new Set<Socket>();
  const peer: NodeTlsServer = {
    server,
    port: 0,
    clientErrors: [],
    socketErrors: [],
    close: async () => {
      servers.delete(peer);
      for (const connection of connections) connection.destroy();
      if (!server.listening) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.add(peer);
  server.on('connection', (connection: Socket) => {
    connections.add(connection);
    connection.once('close', () => connections.delete(connection));
  });
  server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
    peer.clientErrors.push(error);
    socket.destroy();
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    socket.on('error', (error: Error) => peer.socketErrors.push(error));
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening', timeoutMs);
  peer.port = (server.address() as AddressInfo).port;
  return peer;
}

/**
 * tls.connect to 127.0.0.1 unless options say otherwise; resolves on 'secureConnect'
 * and rejects with the socket's error (or on timeout), destroying it.
 */
export async function nodeTlsConnect(
  options: tls.ConnectionOptions,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<tls.TLSSocket> {
  const socket = tls.connect({ host: '127.0.0.1', ...options });
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
  try {
    await once(socket, 'secureConnect', timeoutMs);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return socket;
}
