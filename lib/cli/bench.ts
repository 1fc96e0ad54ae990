// `openssl-tls bench`: one scenario of the bench suite (bench/lib/scenarios.js), run
// briefly against a local server: openssl-tls's, then node:tls's with the same load,
// and their ratio. bench/server.js is the server and bench/load/ the load, as in
// `npm run bench`, which is the full method (pinned cores, several pairs, a report).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT, UsageError, int, parse, seconds, str, type OptionSpec } from './options';
import { selfSigned, type KeyType } from './self_signed';

export const HELP = `Usage: openssl-tls bench [options]

Runs one scenario of the bench suite against a local server, openssl-tls first and then
node:tls with the same load, and prints both rates and their ratio.

Options:
  --scenario NAME      handshake  full TLS 1.3 handshakes, RSA-2048 (openssl s_time -new)
                       resume     resumed TLS 1.3 handshakes with tickets (s_time -reuse)
                       bulk       one connection, 64 KiB writes both ways (MB/s)
                       echo       1 KiB echoes over 256 connections
                       (default handshake; a bench suite id such as hs-tls12-ec also works)
  --against node|none  also run node:tls and print the ratio (default node)
  --seconds N          measured seconds per server (default 2), after 0.5 s of warm-up;
                       longer (up to 30 s) until a first operation completes
  --stime-procs N      openssl s_time processes for handshake scenarios (default 4)
  --json               print the result as JSON on stdout
  -h, --help           this text

A quick look on whatever else this machine is doing; \`npm run bench\` in a clone of
the repository is the full method. Exit codes: 0 done, 1 a run failed, 9 invalid arguments.
`;

const SPEC: OptionSpec = {
  scenario: { type: 'string', short: 's' },
  against: { type: 'string' },
  seconds: { type: 'string' },
  'stime-procs': { type: 'string' },
};

const SHORT_NAMES: Record<string, string> = {
  handshake: 'hs-tls13-rsa',
  resume: 'resume-tls13-ticket',
  bulk: 'bulk',
  echo: 'echo-256',
};
const WARM_SECONDS = 0.5;
/** How much longer measuring may run while no operation has completed yet. */
const MAX_EXTRA_SECONDS = 30;

// ---- the bench suite's modules (plain JS, shipped in the package) ----

interface Scenario {
  id: string;
  title: string;
  kind: 'stime' | 'client' | 'idle' | 'wrk' | 'h2load';
  vary?: 'client';
  unit: string;
  op: string;
  resume: boolean;
  cores?: string;
  server: { cert: KeyType; tls?: string; mode: string; resume?: string };
  client?: Record<string, string | number>;
  flags?: string[];
  load: string;
}
interface Child {
  pid: number;
  send(message: unknown): void;
}
interface Stats {
  handshakes: number;
  reused: number;
  bytesIn: number;
  ops: number;
  errorCodes: Record<string, number>;
}
interface STime {
  children: Child[];
  failure(): string | null;
  stop(): Promise<void>;
}
interface BenchModules {
  scenarios(o: { stimeProcs: number; idleConns: number }): Scenario[];
  spawnPinned(core: number | string, argv: string[], o?: { ipc?: boolean; nofile?: number }): Child;
  stop(child: Child): Promise<void>;
  waitMessage(child: Child, type: string, ms: number, what?: string): Promise<{ port: number }>;
  request(child: Child, cmd: string, ms?: number): Promise<Stats>;
  startSTime(o: { port: number; procs: number; flags: string[]; core: number; seconds: number }): STime;
}

const benchDir = path.join(__dirname, '..', '..', 'bench');

function benchModules(): BenchModules {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require(path.join(benchDir, 'lib', 'scenarios.js')) as Pick<BenchModules, 'scenarios'>),
    ...(require(path.join(benchDir, 'lib', 'children.js')) as Pick<
      BenchModules,
      'spawnPinned' | 'stop' | 'waitMessage' | 'request'
    >),
    ...(require(path.join(benchDir, 'load', 'stime.js')) as Pick<BenchModules, 'startSTime'>),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

// ---- one run ----

type Impl = 'ours' | 'node';
const NAMES: Record<Impl, string> = { ours: 'openssl-tls', node: 'node:tls' };

interface Result {
  impl: string;
  rate: number;
  /** Resumption scenarios: the share of handshakes the server resumed. */
  reused?: number;
}

/** Prints progress on stderr: one rewritten line on a terminal, a line per step elsewhere. */
function progress(text: string, done: boolean): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}${done ? '\n' : ''}`);
  else if (done) process.stderr.write(`${text}\n`);
}

async function runOne(
  m: BenchModules,
  sc: Scenario,
  impl: Impl,
  step: string,
  measure: number,
  stimeProcs: number,
): Promise<Result> {
  const cores = os.availableParallelism() > 1 ? { server: 0, load: 1 } : { server: 0, load: 0 };
  const children: Child[] = [];
  const node = process.execPath;
  try {
    const s = sc.server;
    const serverArgs = [node, path.join(benchDir, 'server.js'), '--impl', impl, '--cert', s.cert, '--mode', s.mode];
    if (s.tls !== undefined) serverArgs.push('--tls', s.tls);
    if (s.resume !== undefined) serverArgs.push('--resume', s.resume);
    const server = m.spawnPinned(cores.server, serverArgs, { ipc: true, nofile: 4096 });
    children.push(server);
    const { port } = await m.waitMessage(server, 'ready', 15_000, `the ${NAMES[impl]} server to listen`);
    let client: Child | null = null;
    let stime: STime | null = null;
    if (sc.kind === 'stime') {
      stime = m.startSTime({ port, procs: stimeProcs, flags: sc.flags ?? [], core: cores.load, seconds: 3600 });
      children.push(...stime.children);
    } else {
      const argv = [node, path.join(benchDir, 'load', 'tls-client.js'), '--impl', 'node', '--port', String(port)];
      for (const [k, v] of Object.entries(sc.client ?? {})) argv.push(`--${k}`, String(v));
      if (s.tls !== undefined) argv.push('--tls', s.tls);
      client = m.spawnPinned(cores.load, argv, { ipc: true, nofile: 4096 });
      children.push(client);
      await m.waitMessage(client, 'ready', 60_000, 'the load connections');
      await m.request(client, 'go');
    }
    const sample = async (): Promise<{ t: number; srv: Stats; cli: Stats | null }> => ({
      t: performance.now() / 1000,
      srv: await m.request(server, 'stats'),
      cli: client === null ? null : await m.request(client, 'stats'),
    });
    const wait = async (what: string, total: number): Promise<void> => {
      const started = performance.now();
      for (;;) {
        const elapsed = (performance.now() - started) / 1000;
        if (elapsed >= total) return;
        progress(`${step} ${NAMES[impl]}: ${what} ${elapsed.toFixed(1)}/${total} s`, false);
        await new Promise((r) => setTimeout(r, Math.min(200, (total - elapsed) * 1000)));
      }
    };
    await wait('warming up', WARM_SECONDS);
    const a = await sample();
    await wait('measuring', measure);
    let b = await sample();
    const completed = (to: typeof b): number => {
      if (sc.op === 'MB')
        return (to.srv.bytesIn - a.srv.bytesIn + (to.cli?.bytesIn ?? 0) - (a.cli?.bytesIn ?? 0)) / 1e6;
      if (sc.kind === 'stime') return to.srv.handshakes - a.srv.handshakes;
      return (to.cli?.ops ?? 0) - (a.cli?.ops ?? 0);
    };
    // A rate needs one completed operation: on a slow or busy machine a short window may
    // hold none, so measuring goes on until the first (at most MAX_EXTRA_SECONDS more).
    for (let extra = 0; !(completed(b) > 0) && extra < MAX_EXTRA_SECONDS; extra += 0.5) {
      await wait('measuring (waiting for a first operation)', 0.5);
      b = await sample();
    }
    const failure = stime?.failure();
    if (failure) throw new Error(failure);
    const wall = b.t - a.t;
    const ops = completed(b);
    if (!(ops > 0))
      throw new Error(`${NAMES[impl]}: nothing completed (server errors: ${JSON.stringify(b.srv.errorCodes)})`);
    const result: Result = { impl: NAMES[impl], rate: ops / wall };
    if (sc.resume) {
      const handshakes = b.srv.handshakes - a.srv.handshakes;
      result.reused = handshakes > 0 ? (b.srv.reused - a.srv.reused) / handshakes : 0;
    }
    progress(`${step} ${NAMES[impl]}: ${formatRate(result.rate)} ${sc.unit}`, true);
    return result;
  } finally {
    await Promise.all(children.map((c) => m.stop(c)));
  }
}

function formatRate(rate: number): string {
  return rate >= 100 ? Math.round(rate).toLocaleString('en-US') : rate.toFixed(1);
}

/** The scenario's certificates in a temporary directory, as bench/lib/fixtures.js reads them. */
function writeCertificates(type: KeyType): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openssl-tls-bench-'));
  const made = selfSigned(type);
  const base = type === 'ec' ? 'server-ec' : 'server-rsa';
  fs.writeFileSync(path.join(dir, `${base}.pem`), made.cert);
  fs.writeFileSync(path.join(dir, `${base}-key.pem`), made.key);
  fs.writeFileSync(path.join(dir, 'ca.pem'), made.cert);
  return dir;
}

export async function bench(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, SPEC);
  if (values['help'] === true) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`bench takes no arguments, only options (got '${positionals[0]}')`);
  const against = str(values, 'against') ?? 'node';
  if (against !== 'node' && against !== 'none')
    throw new UsageError(`--against must be node or none, not '${against}'`);
  const measure = seconds(values, 'seconds', 2);
  const stimeProcs = int(values, 'stime-procs', 4, 1, 64);
  const name = str(values, 'scenario') ?? 'handshake';
  const m = benchModules();
  const all = m.scenarios({ stimeProcs, idleConns: 0 });
  const sc = all.find((s) => s.id === (SHORT_NAMES[name] ?? name));
  // What this command can run: a server under s_time or the node:tls client, on one core each.
  const runnable = (s: Scenario): boolean =>
    (s.kind === 'stime' || s.kind === 'client') && s.vary !== 'client' && s.cores === undefined;
  if (sc === undefined || !runnable(sc)) {
    const ids = all.filter(runnable).map((s) => s.id);
    throw new UsageError(
      `unknown scenario '${name}': use ${Object.keys(SHORT_NAMES).join(', ')} or one of ${ids.join(', ')}`,
    );
  }
  const ours = path.join(__dirname, '..', 'index.js');
  if (!fs.existsSync(ours)) throw new Error(`bench runs the built package; ${ours} is missing (npm run build:ts)`);

  const json = values['json'] === true;
  const certs = writeCertificates(sc.server.cert);
  process.env['OTLS_BENCH_CERTS'] = certs;
  process.env['OTLS_BENCH_DIST'] = ours;
  const impls: Impl[] = against === 'node' ? ['ours', 'node'] : ['ours'];
  if (!json)
    process.stdout.write(
      `${sc.id}: ${sc.title}\nload: ${sc.load}; ${WARM_SECONDS} s warm-up, ${measure} s measured per server\n`,
    );
  const results: Result[] = [];
  try {
    for (const [i, impl] of impls.entries())
      results.push(await runOne(m, sc, impl, `[${i + 1}/${impls.length}]`, measure, stimeProcs));
  } catch (error) {
    progress('', true);
    process.stderr.write(`openssl-tls bench: ${(error as Error).message}\n`);
    return EXIT.failure;
  } finally {
    fs.rmSync(certs, { recursive: true, force: true });
  }
  const [mine, theirs] = results;
  const ratio = mine !== undefined && theirs !== undefined ? mine.rate / theirs.rate : null;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ scenario: { id: sc.id, title: sc.title, unit: sc.unit, load: sc.load }, warmSeconds: WARM_SECONDS, seconds: measure, results, ratio })}\n`,
    );
  } else {
    for (const r of results) {
      const reused = r.reused !== undefined ? `  (${Math.round(r.reused * 100)}% resumed)` : '';
      process.stdout.write(`${r.impl.padEnd(12)} ${formatRate(r.rate).padStart(10)} ${sc.unit}${reused}\n`);
    }
    if (ratio !== null)
      process.stdout.write(`${'ratio'.padEnd(12)} ${ratio.toFixed(2).padStart(9)}× node:tls (higher is better)\n`);
  }
  return EXIT.ok;
}
