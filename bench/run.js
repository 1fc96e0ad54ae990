'use strict';
// The benchmark suite: openssl-tls against node:tls, side by side in one run.
//
//   npm run bench                 full run: 3 pairs per scenario, writes docs/benchmarks.md
//   npm run bench -- --quick      1 pair, short windows, 5,000 idle connections, prints only (< 2 minutes)
//   npm run bench -- --only http  the HTTP rows only (node's https/http2, ours, nginx), printed
//   options: --pairs N  --only id,id|group  --list  --stime-procs N  --no-write  --out FILE
//
// Each trial starts the server under test (bench/server.js) pinned to core 0 and a
// load generator pinned to core 1 (several `openssl s_time`, bench/load/tls-client.js
// over node:tls so the client costs the same for both servers, or for the HTTP
// scenarios wrk or h2load; nginx runs there too as their reference), waits out a warm-up,
// then samples counters and CPU time at the start and end of a measuring window.
// node:tls and openssl-tls alternate (ABBA order across pairs). Every child is
// killed at the end of its trial, on error, on timeout and on exit. The build under
// test is copied at the start (bench/lib/snapshot.js), so a rebuild cannot change it
// mid-run.
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('./lib/args');
const { spawnPinned, stop, sleep, waitMessage, request } = require('./lib/children');
const { cpuSeconds, rssBytes, machine, coreTimes, kernelThreadsCpu, machineBusy } = require('./lib/proc');
const S = require('./lib/stats');
const { startSTime } = require('./load/stime');
const { startWrk, startH2load } = require('./load/http');
const { startNginx, haveNginx } = require('./lib/nginx');
const { root } = require('./lib/fixtures');
const { takeSnapshot } = require('./lib/snapshot');
const { scenarios } = require('./lib/scenarios');

const SERVER_CORE = 0;
const LOAD_CORE = 1;
const IMPLS = ['node', 'ours'];
const NAMES = { node: 'node:tls', ours: 'openssl-tls', nginx: 'nginx' };
// The HTTP scenarios compare node's https (HTTP/1.1) or http2 (h2load) with openssl-tls's.
const HTTP_NAMES = { node: 'node:https', ours: 'openssl-tls', nginx: 'nginx' };
const H2_NAMES = { ...HTTP_NAMES, node: 'node:http2' };
const nameOf = (sc, impl) => (sc.group !== 'HTTP' ? NAMES : sc.kind === 'h2load' ? H2_NAMES : HTTP_NAMES)[impl];
// Reference servers a scenario also runs (nginx), when installed.
const refsOf = (sc) => (sc.refs ?? []).filter((r) => r !== 'nginx' || haveNginx());

const opts = parseArgs(process.argv.slice(2));
const quick = opts.quick === true;
const pairs = Number(opts.pairs ?? (quick ? 1 : 3));
const windows = quick ? { warm: 0.5, measure: 1.5 } : { warm: 1.5, measure: 4 };
const stimeProcs = Number(opts['stime-procs'] ?? 8);
// CPU of other programs (see runTrial) above this fraction of a core marks a trial as disturbed.
const DISTURBED = 0.15;
// The quick run holds fewer idle connections: the client's 2 ms per handshake sets the pace.
const IDLE_CONNS = quick ? 5000 : 10000;
// The full run (and only it, unless --out is given) writes docs/benchmarks.md.
const outFile =
  typeof opts.out === 'string'
    ? path.resolve(opts.out)
    : !quick && opts['no-write'] !== true && opts.only === undefined && opts.pairs === undefined
      ? path.join(root, 'docs', 'benchmarks.md')
      : null;

// ---- scenarios (bench/lib/scenarios.js; `openssl-tls bench` runs the same ones) ----

const SCENARIOS = scenarios({ stimeProcs, idleConns: IDLE_CONNS });

// ---- one trial ----

let hardFdLimit = 20000;
try {
  hardFdLimit = Number(require('node:child_process').execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || 20000;
} catch {
  // Keep the guess; the child's ulimit falls back to the hard limit anyway.
}

function nofileFor(sc) {
  const need = (sc.client?.conns ?? 0) + 1024;
  return Math.min(Math.max(need, 4096), hardFdLimit);
}

function spawnServer(impl, sc) {
  const s = sc.server;
  const argv = [process.execPath, '--expose-gc', path.join(__dirname, 'server.js'), '--impl', impl, '--cert', s.cert, '--mode', s.mode];
  if (s.tls) argv.push('--tls', s.tls);
  if (s.resume) argv.push('--resume', s.resume);
  if (sc.cores !== undefined) argv.push('--offload', 'true');
  return spawnPinned(sc.cores ?? SERVER_CORE, argv, { ipc: true, nofile: nofileFor(sc) });
}

function spawnClient(impl, sc, port) {
  const c = sc.client;
  const argv = [process.execPath, path.join(__dirname, 'load', 'tls-client.js'), '--impl', impl, '--port', String(port), '--mode', c.mode];
  if (sc.server.tls) argv.push('--tls', sc.server.tls);
  for (const k of ['conns', 'size', 'parallel', 'warm']) if (c[k] !== undefined) argv.push(`--${k}`, String(c[k]));
  return spawnPinned(LOAD_CORE, argv, { ipc: true, nofile: nofileFor(sc) });
}

/** Error counts by code, as text: 'ECONNRESET×12, EPIPE×1'. */
function codes(map) {
  const e = Object.entries(map ?? {});
  return e.length === 0 ? 'none' : e.map(([k, v]) => `${k}×${v}`).join(', ');
}

function diffCodes(a, b) {
  const out = {};
  for (const [k, v] of Object.entries(b ?? {})) {
    const d = v - (a?.[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

function sumCpu(pids) {
  let t = 0;
  for (const pid of pids) {
    try {
      t += cpuSeconds(pid);
    } catch {
      // A process that is gone counts nothing more.
    }
  }
  return t;
}

/**
 * The server of a trial: bench/server.js (node or ours), or nginx. `stats()` reads its
 * counters; `pid` is the process whose CPU is measured.
 */
async function startServer(impl, sc, ctx) {
  if (impl === 'nginx') {
    const nginx = await startNginx({ core: SERVER_CORE, cert: sc.server.cert, tls: sc.server.tls });
    ctx.procs.push(nginx.child);
    return { proc: nginx.child, pid: nginx.pid, port: nginx.port, stats: () => nginx.stats() };
  }
  const server = spawnServer(impl, sc);
  ctx.procs.push(server);
  const { port } = await waitMessage(server, 'ready', 15000, 'the server to listen');
  return { proc: server, pid: server.pid, port, stats: () => request(server, 'stats') };
}

/** Runs one trial of `sc` with `impl` under test; `ctx.procs` collects its children. */
async function runTrial(sc, impl, ctx) {
  const serverImpl = sc.vary === 'client' ? 'node' : impl;
  const clientImpl = sc.vary === 'client' ? impl : 'node';
  const srvHandle = await startServer(serverImpl, sc, ctx);
  const server = srvHandle.proc;
  const port = srvHandle.port;

  if (sc.kind === 'idle') return idleTrial(sc, clientImpl, server, port, ctx);

  let stime = null;
  let client = null;
  let load = null;
  if (sc.kind === 'stime') {
    stime = startSTime({ port, procs: stimeProcs, flags: sc.flags, core: sc.cores ?? LOAD_CORE, seconds: 3600 });
    ctx.procs.push(...stime.children);
  } else if (sc.kind === 'wrk' || sc.kind === 'h2load') {
    load =
      sc.kind === 'wrk'
        ? startWrk({ port, core: LOAD_CORE, conns: sc.conns })
        : startH2load({ port, core: LOAD_CORE, clients: sc.clients, streams: sc.streams });
    ctx.procs.push(...load.children);
  } else {
    client = spawnClient(clientImpl, sc, port);
    ctx.procs.push(client);
    await waitMessage(client, 'ready', 90000, 'the client connections');
    await request(client, 'go');
  }
  const loadPids = stime ? stime.pids : load ? load.pids : [client.pid];

  async function sample() {
    const [srv, cli] = await Promise.all([srvHandle.stats(), client ? request(client, 'stats') : null]);
    return {
      t: now(),
      serverCpu: cpuSeconds(srvHandle.pid),
      loadCpu: sumCpu(loadPids),
      cores: [coreTimes(SERVER_CORE), coreTimes(LOAD_CORE)],
      busy: machineBusy(),
      kthreads: kernelThreadsCpu(),
      self: cpuSeconds(process.pid),
      srv,
      cli,
      st: stime ? stime.progress() : null,
    };
  }

  await sleep(windows.warm * 1000);
  const a = await sample();
  await sleep(windows.measure * 1000);
  const b = await sample();
  const failure = stime?.failure() ?? load?.failure();
  if (failure) throw new Error(failure);

  const wall = b.t - a.t;
  let ops;
  if (sc.op === 'MB') ops = (b.srv.bytesIn - a.srv.bytesIn + b.cli.bytesIn - a.cli.bytesIn) / 1e6;
  else if (sc.kind === 'stime') ops = b.srv.handshakes - a.srv.handshakes;
  else if (sc.kind === 'wrk' || sc.kind === 'h2load') ops = b.srv.requests - a.srv.requests;
  else ops = b.cli.ops - a.cli.ops;
  if (!(ops > 0)) throw new Error(`no operations completed (server errors: ${codes(b.srv.errorCodes)}${b.cli ? `; client errors: ${codes(b.cli.errorCodes)}` : ''})`);

  const serverCpu = b.serverCpu - a.serverCpu;
  const loadCpu = b.loadCpu - a.loadCpu;
  // The CPU that counts is that of the side under test.
  const cpu = sc.vary === 'client' ? loadCpu : serverCpu;
  const r = {
    rate: ops / wall,
    cpuPerOp: cpu / ops,
    opsPerCpu: cpu > 0 ? ops / cpu : NaN,
    serverBusy: serverCpu / wall,
    loadBusy: loadCpu / wall,
    serverCoreBusy: (b.cores[0].busy - a.cores[0].busy) / (b.cores[0].total - a.cores[0].total),
    loadCoreBusy: (b.cores[1].busy - a.cores[1].busy) / (b.cores[1].total - a.cores[1].total),
    // CPU taken by other programs (in cores): the machine's busy time less the
    // bench's processes and the kernel threads (which carry its loopback traffic).
    // Other programs compete with the server or the load and make the trial unreliable.
    foreign: Math.max(0, b.busy - a.busy - serverCpu - loadCpu - (b.self - a.self) - (b.kthreads - a.kthreads)) / wall,
    serverErrors: diffCodes(a.srv.errorCodes, b.srv.errorCodes),
    clientErrors: b.cli ? diffCodes(a.cli.errorCodes, b.cli.errorCodes) : {},
  };
  if (sc.resume) {
    const hs = b.srv.handshakes - a.srv.handshakes;
    r.stimeReused = b.st.total > 0 ? b.st.reused / b.st.total : 0;
    // nginx does not say which handshakes it resumed: s_time does.
    r.reusedFraction = Number.isNaN(b.srv.reused) ? r.stimeReused : hs > 0 ? (b.srv.reused - a.srv.reused) / hs : 0;
  }
  return r;
}

async function idleTrial(sc, clientImpl, server, port, ctx) {
  const settle = async () => {
    await sleep(quick ? 300 : 1000);
    await request(server, 'gc');
    await sleep(200);
    return rssBytes(server.pid);
  };
  const client = spawnClient(clientImpl, sc, port);
  ctx.procs.push(client);
  const warmed = await waitMessage(client, 'warmed', 60000, 'the warm-up connections');
  const before = await settle();
  const t0 = now();
  const cpu0 = cpuSeconds(server.pid);
  client.send({ cmd: 'go', id: 0 });
  const ready = await waitMessage(client, 'ready', 180000, `${sc.client.conns} connections`);
  const setupWall = now() - t0;
  const setupCpu = cpuSeconds(server.pid) - cpu0;
  const after = await settle();
  const stats = await request(server, 'stats');
  const added = ready.open - warmed.open;
  if (stats.open < ready.open) throw new Error(`server holds ${stats.open} connections, client ${ready.open}`);
  return {
    rate: (after - before) / added,
    rssBefore: before,
    rssAfter: after,
    conns: ready.open,
    cpuPerOp: setupCpu / added,
    opsPerCpu: added / setupCpu,
    serverBusy: setupCpu / setupWall,
    serverErrors: stats.errorCodes,
    clientErrors: {},
  };
}

async function trialBounded(sc, impl) {
  const ctx = { procs: [] };
  const bound = (windows.warm + windows.measure) * 1000 + (sc.kind === 'idle' ? 240000 : 60000);
  let timer;
  try {
    return await Promise.race([
      runTrial(sc, impl, ctx),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`trial timed out after ${Math.round(bound / 1000)} s`)), bound);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await Promise.all(ctx.procs.map(stop));
  }
}

// ---- reporting ----

function isNA(sc, trials) {
  return sc.resume === true && trials.some((t) => !t.error && t.reusedFraction < 0.5);
}

function pct(x) {
  return Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–';
}

function describeTrial(sc, r) {
  if (r.error) return `FAILED: ${r.error}`;
  if (sc.kind === 'idle') {
    return `${S.fmtBytes(r.rate)}/conn  (RSS ${S.fmtBytes(r.rssBefore)} → ${S.fmtBytes(r.rssAfter)}, ${r.conns} conns; setup ${S.fmtTime(r.cpuPerOp)} server CPU/conn)`;
  }
  const who = sc.vary === 'client' ? 'client' : 'server';
  let s = `${S.fmt(r.rate)} ${sc.unit}  ${who} CPU ${S.fmtTime(r.cpuPerOp)}/${sc.op}  ${S.fmt(r.opsPerCpu)} ${sc.op}s per ${who} CPU-s  server ${pct(r.serverBusy)} (core ${pct(r.serverCoreBusy)})  load ${pct(r.loadBusy)} (core ${pct(r.loadCoreBusy)})`;
  if (r.foreign > DISTURBED) s += `  DISTURBED: other programs used ${pct(r.foreign)} of a core`;
  if (sc.resume) s += `  reused ${Math.round(r.reusedFraction * 100)}% (s_time ${Math.round(r.stimeReused * 100)}%)`;
  if (Object.keys(r.serverErrors).length > 0) s += `  [server socket errors: ${codes(r.serverErrors)}]`;
  if (Object.keys(r.clientErrors).length > 0) s += `  [client socket errors: ${codes(r.clientErrors)}]`;
  return s;
}

function summarize(sc, byImpl) {
  const out = {};
  for (const impl of [...IMPLS, ...refsOf(sc)]) {
    if (byImpl[impl] === undefined) continue;
    const done = byImpl[impl].filter((t) => !t.error);
    // Trials disturbed by other programs count only when there is nothing else.
    const clean = done.filter((t) => !(t.foreign > DISTURBED));
    const ok = clean.length > 0 ? clean : done;
    out[impl] = {
      n: ok.length,
      trials: byImpl[impl].length,
      disturbedUsed: ok.length - clean.length,
      failed: byImpl[impl].length - ok.length,
      na: isNA(sc, byImpl[impl]),
      rate: S.median(ok.map((t) => t.rate)),
      rates: ok.map((t) => t.rate),
      cpuPerOp: S.median(ok.map((t) => t.cpuPerOp)),
      opsPerCpu: S.median(ok.map((t) => t.opsPerCpu)),
      serverBusy: S.median(ok.map((t) => t.serverBusy)),
      loadBusy: S.median(ok.map((t) => t.loadBusy)),
      serverCoreBusy: S.median(ok.map((t) => t.serverCoreBusy)),
      loadCoreBusy: S.median(ok.map((t) => t.loadCoreBusy)),
      errors: ok.map((t) => t.error),
    };
  }
  const n = out.node;
  const o = out.ours;
  out.ratio = n.na || o.na ? NaN : o.rate / n.rate;
  out.cpuRatio = n.na || o.na ? NaN : o.opsPerCpu / n.opsPerCpu;
  return out;
}

const NA = 'n/a (no resumption yet)';

function rateText(sc, s) {
  if (s.na) return NA;
  if (s.n === 0) return 'failed';
  return sc.kind === 'idle' ? S.fmtBytes(s.rate) : S.fmt(s.rate);
}

function rangeText(sc, s) {
  if (s.na || s.n === 0) return '–';
  return S.fmtRange(s.rates, sc.kind === 'idle' ? S.fmtBytes : S.fmt);
}

/** Which trials the median is over: '3 of 4' (the others failed or were disturbed). */
function trialsText(s) {
  if (s.trials === 0) return '–';
  return `${s.n} of ${s.trials}${s.disturbedUsed > 0 ? ` (${s.disturbedUsed} disturbed)` : ''}`;
}

function ratioText(x) {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : '–';
}

// Issue 19's targets (performance round 2; issue 5's where 19 names none), as ratios
// openssl-tls / node:tls of the same run. `cpu`: server (or client) CPU per operation,
// at most; `perCpu`: operations per CPU-second, at least; `rate`: the rate, at least;
// `rss`: RSS per connection, at most (issue 19 puts it at 2000 echo connections; the
// bench measures RSS on idle connections).
const TARGETS = {
  'hs-tls13-rsa': { cpu: 0.8 },
  'hs-tls12-rsa': { cpu: 0.8 },
  'hs-tls13-ec': { cpu: 0.8 },
  'hs-tls12-ec': { cpu: 0.8 },
  'hs-2core-rsa': { rate: 1.3 },
  'resume-tls13-ticket': { cpu: 0.75 },
  'resume-tls12-ticket': { cpu: 0.75 },
  'resume-tls12-id': { cpu: 0.75 },
  'bulk-c2s': { perCpu: 1.1 },
  'bulk-s2c': { perCpu: 1.2 },
  'echo-256': { cpu: 0.9 },
  'echo-2000': { cpu: 0.75 },
  'idle-rss': { rss: 0.5 },
  'client-hs': { cpu: 0.7 },
  // Issue 17: openssl-tls/https and /http2 against node's https and http2.
  'https-keepalive': { perCpu: 1.2, issue: 17 },
  'https-newconn-full': { perCpu: 1.2, issue: 17 },
  'https-newconn-resumed': { perCpu: 1.2, issue: 17 },
  'h2-streams': { perCpu: 1.0, issue: 17 },
};

/** The row's target as text, and whether this run met it ('yes', 'no', '–'). */
function targetCheck(sc, sum) {
  const t = TARGETS[sc.id];
  if (t === undefined) return { text: '–', met: '–' };
  let value;
  let text;
  let ok;
  if (t.cpu !== undefined) {
    value = 1 / sum.cpuRatio;
    text = `CPU per op ≤ ${t.cpu}×`;
    ok = value <= t.cpu;
  } else if (t.perCpu !== undefined) {
    value = sum.cpuRatio;
    text = `per CPU-s ≥ ${t.perCpu}×`;
    ok = value >= t.perCpu;
  } else if (t.rate !== undefined) {
    value = sum.ratio;
    text = `rate ≥ ${t.rate}×`;
    ok = value >= t.rate;
  } else {
    value = sum.ratio;
    text = `RSS ≤ ${t.rss}×`;
    ok = value <= t.rss;
  }
  if (!Number.isFinite(value)) return { text, met: '–' };
  return { text: `${text} (${value.toFixed(2)}×)${t.issue ? ` (issue ${t.issue})` : ''}`, met: ok ? 'yes' : 'no' };
}

function printSummary(results) {
  const rows = [['scenario', 'unit', 'node', 'openssl-tls', 'min–max node | ours', 'ratio', 'CPU/op node | ours', 'ops/CPU-s node | ours', 'per CPU-s ratio', 'reference']];
  for (const { sc, sum } of results) {
    const n = sum.node;
    const o = sum.ours;
    const cpu = (s) => (s.na || s.n === 0 ? '–' : sc.kind === 'idle' ? '–' : S.fmtTime(s.cpuPerOp));
    const per = (s) => (s.na || s.n === 0 ? '–' : sc.kind === 'idle' ? '–' : S.fmt(s.opsPerCpu));
    const ref = refsOf(sc).filter((r) => sum[r] !== undefined).map((r) => `${nameOf(sc, r)} ${rateText(sc, sum[r])} (${per(sum[r])}/CPU-s)`).join(', ') || '–';
    rows.push([sc.id, sc.unit, rateText(sc, n), rateText(sc, o), `${rangeText(sc, n)} | ${rangeText(sc, o)}`, ratioText(sum.ratio), `${cpu(n)} | ${cpu(o)}`, `${per(n)} | ${per(o)}`, sc.kind === 'idle' ? '–' : ratioText(sum.cpuRatio), ref]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log('');
  for (const [i, r] of rows.entries()) {
    console.log(r.map((c, j) => (j < 2 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log('\nratio = openssl-tls / node:tls (node\'s https/http2 for the HTTP rows) of the median rate (for RSS per connection, lower is better).');
  console.log('CPU/op is the server process\'s (the client\'s for client-* scenarios), from /proc/PID/stat.');
}

function markdown(results, info) {
  const L = [];
  L.push('# Benchmarks');
  L.push('');
  L.push(`openssl-tls against node:tls, written by \`${info.command}\` on ${info.date}.`);
  L.push('Regenerate with the same command; the file is overwritten by every full run.');
  L.push('');
  L.push('## Machine');
  L.push('');
  const m = info.machine;
  L.push(`- CPUs: ${m.nproc} × ${m.cpu}`);
  L.push(`- Kernel: ${m.kernel}`);
  L.push(`- Node: ${m.node} (node:tls runs on its bundled OpenSSL ${m.nodeOpenssl})`);
  L.push(`- openssl-tls runs on the system OpenSSL: ${m.oursOpenssl}`);
  L.push(`- \`openssl\` CLI (s_time): ${m.systemOpenssl}`);
  L.push(`- System CA directory: ${info.certDir}`);
  L.push(`- Open-file limit of the bench: ${m.fdLimit} (children raise theirs with \`ulimit -n\`)`);
  L.push(`- Addon measured: \`${info.addon}\` (copied with dist/ at the start of the run); load average at start: ${info.loadavg}`);
  L.push('');
  L.push('## Method');
  L.push('');
  L.push(`- The server under test (\`bench/server.js\`) runs pinned to core ${SERVER_CORE} (\`taskset -c ${SERVER_CORE}\`), the load generator to core ${LOAD_CORE}; TCP_NODELAY on both sides.`);
  L.push('- Except "one server process on both cores": there the server (openssl-tls with `offloadHandshake: true`) and the s_time load are both unpinned (`taskset -c 0,1`), so the server may use both cores and competes with its load for them.');
  L.push(`- ${info.pairs} pairs of trials per scenario, node:tls and openssl-tls alternating (ABBA order); each trial is a fresh server and load: ${windows.warm} s warm-up, then a ${windows.measure} s window in which counters and CPU time are sampled at both ends.`);
  L.push(`- Handshake load is ${stimeProcs} \`openssl s_time\` processes (C clients are cheaper than a Node client); each connection is a handshake plus \`GET /\` and a 40-byte answer (\`-www /\`), which also delivers TLS 1.3 tickets. s_time ends each connection with a TCP reset, so both servers see one ECONNRESET per connection.`);
  L.push('- Echo, bulk and idle loads are `bench/load/tls-client.js` over node:tls for both servers, so the client costs the same.');
  L.push('- Server CPU is utime+stime of the server process from `/proc/PID/stat` over the window, divided by the operations done in it; "ops per CPU-s" is its inverse. On 2 cores the load generator often saturates first (see the busy columns: the process\'s CPU and the whole core\'s from `/proc/stat`, softirq included): then CPU per operation, not the rate, compares the servers.');
  L.push('- Medians and min–max are over the trials that other programs did not disturb, when there are any ("trials": used of run; a disturbed one is used only when no clean one is left).');
  L.push('- Resumed scenarios check the server\'s `isSessionReused()`: a server that resumed fewer than half of the connections gets "n/a (no resumption yet)".');
  L.push(`- A trial in which other programs on the machine used more than ${pct(DISTURBED)} of a core (the machine's busy time from \`/proc/stat\`, steal included, less the bench's own processes and kernel threads) is run once more (${info.disturbed} disturbed trial(s) in this run, the repeats included); the machine is shared, so expect some noise.`);
  L.push('- HTTP rows: node\'s `https`/`http2` against `openssl-tls/https`/`openssl-tls/http2` (`bench/lib/http_servers.js`; each request answered with the same 1 KiB), loaded by `wrk`, `h2load` or `openssl s_time -www /` (an HTTP/1.0 request per connection) pinned to the load core; requests are counted by the server (its request counter; s_time rows: its handshakes, one request each). nginx (`bench/lib/nginx.js`: `master_process off`, one process pinned to the server core, the same certificate and TLS version, `return 200` of 1 KiB, counted by `stub_status`) runs once per pair as the reference.');
  L.push('- ratio = openssl-tls / node:tls of the median; above 1 is better for rates, below 1 is better for RSS. "ops per CPU-s ratio" is the same for operations per second of server CPU: the HTTP targets are on it.');
  L.push('');
  L.push('## Summary');
  L.push('');
  const tlsRows = results.filter(({ sc }) => sc.group !== 'HTTP');
  if (tlsRows.length > 0) {
    L.push('| scenario | unit | node:tls | openssl-tls | ratio | ops per CPU-s ratio | target (issue 19) | met |');
    L.push('|---|---|---:|---:|---:|---:|---|---|');
  }
  for (const { sc, sum } of tlsRows) {
    const t = targetCheck(sc, sum);
    L.push(`| ${sc.title} | ${sc.unit} | ${rateText(sc, sum.node)} | ${rateText(sc, sum.ours)} | ${ratioText(sum.ratio)} | ${sc.kind === 'idle' ? '–' : ratioText(sum.cpuRatio)} | ${t.text} | ${t.met} |`);
  }
  const httpRows = results.filter(({ sc }) => sc.group === 'HTTP');
  if (httpRows.length > 0) {
    if (tlsRows.length > 0) L.push('');
    L.push('| HTTP scenario (issue 17) | node\'s https/http2 | openssl-tls | nginx | rate ratio | requests per server CPU-s: node / ours / nginx | per CPU-s ratio: target | met |');
    L.push('|---|---:|---:|---:|---:|---:|---|---|');
    for (const { sc, sum } of httpRows) {
      const t = targetCheck(sc, sum);
      const per = (s) => (s === undefined || s.na || s.n === 0 ? '–' : S.fmt(s.opsPerCpu));
      const nginx = sum.nginx === undefined ? 'not run' : rateText(sc, sum.nginx);
      L.push(`| ${sc.title} | ${rateText(sc, sum.node)} | ${rateText(sc, sum.ours)} | ${nginx} | ${ratioText(sum.ratio)} | ${per(sum.node)} / ${per(sum.ours)} / ${per(sum.nginx)} | ${t.text} | ${t.met} |`);
    }
  }
  L.push('');
  L.push('For each row not met: the profile that explains it and what would close it are in');
  L.push('`docs/performance-targets.md` (written by hand from a full run, with instruction counts');
  L.push('from `bench/profile/`).');
  let group = '';
  for (const { sc, sum, trials } of results) {
    if (sc.group !== group) {
      group = sc.group;
      L.push('');
      L.push(`## ${group}`);
    }
    L.push('');
    L.push(`### ${sc.title}`);
    L.push('');
    L.push(`Load: ${sc.load}.`);
    L.push('');
    const who = sc.vary === 'client' ? 'client' : 'server';
    if (sc.kind === 'idle') {
      L.push('| | median RSS per connection | min–max | server CPU per connection set up | trials |');
      L.push('|---|---:|---:|---:|---:|');
      for (const impl of IMPLS) {
        const s = sum[impl];
        L.push(`| ${NAMES[impl]} | ${rateText(sc, s)} | ${rangeText(sc, s)} | ${s.n ? S.fmtTime(s.cpuPerOp) : '–'} | ${trialsText(s)} |`);
      }
      L.push(`| ratio (ours / node) | ${ratioText(sum.ratio)} | | | |`);
    } else {
      L.push(`| | median ${sc.unit} | min–max | ${who} CPU per ${sc.op} | ${sc.op}s per ${who} CPU-s | server busy: process / core ${SERVER_CORE} | load busy: process / core ${LOAD_CORE} | trials |`);
      L.push('|---|---:|---:|---:|---:|---:|---:|---:|');
      for (const impl of [...IMPLS, ...refsOf(sc).filter((r) => sum[r] !== undefined)]) {
        const s = sum[impl];
        const ok = !s.na && s.n > 0;
        L.push(
          `| ${nameOf(sc, impl)} | ${rateText(sc, s)} | ${rangeText(sc, s)} | ${ok ? S.fmtTime(s.cpuPerOp) : '–'} | ${ok ? S.fmt(s.opsPerCpu) : '–'} | ${ok ? `${pct(s.serverBusy)} / ${pct(s.serverCoreBusy)}` : '–'} | ${ok ? `${pct(s.loadBusy)} / ${pct(s.loadCoreBusy)}` : '–'} | ${trialsText(s)} |`,
        );
      }
      const cpuRatio = Number.isFinite(sum.cpuRatio) ? ratioText(1 / sum.cpuRatio) : '–';
      L.push(`| ratio (ours / node) | ${ratioText(sum.ratio)} | | ${cpuRatio} | ${ratioText(sum.cpuRatio)} | | | |`);
    }
    const failed = trials.filter((t) => t.r.error);
    for (const t of failed) L.push(`\nA ${nameOf(sc, t.impl)} trial failed: ${t.r.error}`);
  }
  L.push('');
  return L.join('\n');
}

// Hand-written notes in docs/benchmarks.md (the HTTP profile, say) live between these
// markers; a full run keeps them, after what it writes.
const NOTES_BEGIN = '<!-- notes: kept by bench/run.js -->';
const NOTES_END = '<!-- notes end -->';

/** The notes block of the file that is there now ('' when none). */
function keptNotes(file) {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const a = text.indexOf(NOTES_BEGIN);
  const b = text.indexOf(NOTES_END);
  return a !== -1 && b > a ? `${text.slice(a, b + NOTES_END.length)}\n` : '';
}

/** The system CA directory OpenSSL searches (its size matters: see docs/benchmarks.md). */
function certDirText(opensslDir) {
  const dir = process.env.SSL_CERT_DIR || path.join(opensslDir, 'certs');
  let entries = '?';
  try {
    entries = String(fs.readdirSync(dir).length);
  } catch {
    entries = 'missing';
  }
  return `${dir} (${entries} entries${process.env.SSL_CERT_DIR ? ', from SSL_CERT_DIR' : ''})`;
}

// ---- main ----

async function main() {
  if (opts.list) {
    for (const sc of SCENARIOS) console.log(`${sc.id.padEnd(22)} ${sc.title}`);
    return;
  }
  const snap = takeSnapshot();
  process.env.OTLS_BENCH_DIST = snap.dist;
  process.env.OPENSSL_TLS_ADDON = snap.addon;
  const ours = require(snap.dist);
  const only = typeof opts.only === 'string' ? opts.only.split(',') : null;
  // --only takes scenario ids, or a group's name ('http', 'throughput', ...) for all of its rows.
  const picked = (sc) => only.includes(sc.id) || only.includes(sc.group.toLowerCase());
  const scenarios = only ? SCENARIOS.filter(picked) : SCENARIOS;
  if (scenarios.length === 0) throw new Error(`no scenario matches --only ${opts.only} (see --list)`);

  const extra = process.argv.slice(2);
  const info = {
    command: process.env.npm_lifecycle_event === 'bench' ? `npm run bench${extra.length ? ` -- ${extra.join(' ')}` : ''}` : `node bench/run.js${extra.length ? ` ${extra.join(' ')}` : ''}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: machine(`${ours.versions.openssl} (${ours.opensslDir})`),
    addon: path.relative(root, snap.addonSource),
    loadavg: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    certDir: certDirText(ours.opensslDir),
    pairs,
  };
  const m = info.machine;
  console.log(`openssl-tls bench (${quick ? 'quick' : 'full'}): ${pairs} pair(s), ${windows.warm} s warm-up + ${windows.measure} s window per trial`);
  console.log(`${m.nproc} × ${m.cpu}; ${m.kernel}; node ${m.node} (OpenSSL ${m.nodeOpenssl}); openssl-tls on ${m.oursOpenssl}`);
  console.log(`addon ${info.addon}; load average at start ${info.loadavg}`);
  if (Number(m.nproc) < 2) console.log('warning: fewer than 2 CPUs: server and load share a core');

  const started = now();
  let disturbed = 0;
  // A trial disturbed by other programs is run once more, within this budget.
  let retriesLeft = quick ? 0 : 12;
  const results = [];
  for (const sc of scenarios) {
    console.log(`\n== ${sc.id}: ${sc.title}`);
    const t0 = now();
    const refs = refsOf(sc);
    const byImpl = { node: [], ours: [] };
    for (const ref of refs) byImpl[ref] = [];
    const trials = [];
    for (let p = 0; p < pairs; p++) {
      const order = p % 2 === 0 ? IMPLS : [...IMPLS].reverse();
      // The reference (nginx) once per pair, after it.
      for (const impl of [...order, ...refs]) {
        for (let attempt = 0; ; attempt++) {
          let r;
          try {
            r = await trialBounded(sc, impl);
          } catch (err) {
            r = { error: (err && err.message) || String(err) };
          }
          byImpl[impl].push(r);
          trials.push({ impl, r });
          const again = r.foreign > DISTURBED && attempt < 1 && retriesLeft > 0;
          console.log(`  pair ${p + 1} ${nameOf(sc, impl).padEnd(11)} ${describeTrial(sc, r)}${again ? '; once more' : ''}`);
          if (r.foreign > DISTURBED) disturbed++;
          if (!again) break;
          retriesLeft--;
        }
      }
    }
    const sum = summarize(sc, byImpl);
    results.push({ sc, sum, trials });
    const rate = (s) => `${rateText(sc, s)}${s.na || s.n === 0 ? '' : ` (${rangeText(sc, s)})`}`;
    const refText = refs.map((r) => `  ${nameOf(sc, r)} ${rate(sum[r])}`).join('');
    console.log(`  median: ${nameOf(sc, 'node')} ${rate(sum.node)}  openssl-tls ${rate(sum.ours)}${refText}  ${sc.unit}  ratio ${ratioText(sum.ratio)}  per CPU-s ${ratioText(sum.cpuRatio)}  [${Math.round(now() - t0)} s]`);
  }
  printSummary(results);
  info.disturbed = disturbed;
  if (disturbed > 0) console.log(`\n${disturbed} trial(s) shared the machine with other programs using more than ${pct(DISTURBED)} of a core (marked DISTURBED).`);
  console.log(`\ntotal ${Math.round(now() - started)} s`);
  if (outFile !== null) {
    const notes = keptNotes(outFile);
    fs.writeFileSync(outFile, `${markdown(results, info)}${notes ? `\n${notes}` : ''}`);
    console.log(`wrote ${path.relative(process.cwd(), outFile)}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${(err && err.stack) || err}`);
    process.exit(1);
  },
);
