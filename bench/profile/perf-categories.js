'use strict';
// Reads `perf script` output (stdin) of an HTTP server and says where its CPU went per
// request, in µs: every sample is put in the first category below whose frames it
// has, so the categories add up to the whole. Used by bench/profile/http-perf.sh.
//
//   perf script -i perf.data | node bench/profile/perf-categories.js REQUESTS
const readline = require('node:readline');

const requests = Number(process.argv[2]);
if (!(requests > 0)) throw new Error('usage: perf script | node perf-categories.js REQUESTS');

// In priority order: a sample belongs to the first that matches one of its frames.
// OpenSSL comes by its leaf frame: the system's libssl/libcrypto have no frame pointers,
// so perf cannot tell who called them (node's own copy is inside the node binary).
const OPENSSL_LEAF = /libcrypto\.so|libssl\.so|\s(SSL_|ssl3_|tls1_|tls13_|EVP_|CRYPTO_|aesni|_aesni|gcm_|ghash|ossl_|BIO_|ERR_|OPENSSL_|bn_|EC_)/;
const CATEGORIES = [
  ['GC', /Heap::|Scavenger|MarkCompact|ConcurrentMarking|Sweeper|heap::base/],
  ['V8 compiler', /compiler::|Maglev|Turbofan|Compile(Lazy|Optimized)|OptimizingCompileDispatcher/],
  ['OpenSSL (records, AES-GCM, BIOs, error queue)', null],
  ['kernel: send() of the response (TCP, loopback delivery)', /sock_write_iter|tcp_sendmsg|__GI___libc_write|__libc_writev|do_writev/],
  ['kernel: recv() of the request', /sock_read_iter|tcp_recvmsg|__libc_read\b|\bread\b.*libc/],
  ['write path (addon / TLSWrap, JS→C++)', /otls::Connection::Write\b|TLSWrap::DoWrite|StreamBase::Writev|StreamBase::WriteString|LibuvStreamWrap::DoTryWrite/],
  ['write completion (next loop turn)', /Environment::CheckImmediate|processImmediate|TLSWrap::OnStreamAfterWrite|TLSWrap::InvokeQueued/],
  ["HTTP: node's parser and http JS", /Parser::Execute\b|Parser::OnStreamRead/],
  ['read path: socket to parser (stream events, crossings)', /otls::TcpLink::OnRead|LibuvStreamWrap::OnUvRead|TLSWrap::OnStreamRead|uv__read\b/],
  ['ticks/microtasks', /processTicksAndRejections|RunMicrotasks|InternalCallbackScope::Close/],
  ['event loop, epoll, timers', /uv__io_poll|uv__run_timers|epoll_wait|listOnTimeout|processTimers/],
  ['libc with an unknown caller (malloc, memcpy: mostly OpenSSL)', /libc\.so|_int_malloc|_int_free|malloc|cfree|memmove|memcpy|unlink_chunk/],
];

function matches([name, re], frames) {
  if (re === null) return OPENSSL_LEAF.test(frames[0]);
  return frames.some((f) => re.test(f));
}

const totals = new Map(CATEGORIES.map(([name]) => [name, 0]));
totals.set('other', 0);
// Within the read path: whose code the sample's leaf frame is.
const readLeaf = new Map();
const otherStacks = new Map();
let all = 0;
let frames = [];
let period = 0;

function leafKind(frame) {
  if (/\[kernel\.kallsyms\]/.test(frame)) return 'kernel (read syscall)';
  if (/JS:.*dist\/socket\//.test(frame)) return 'JS: our socket (driver, transport)';
  if (/JS:.*node:(internal\/streams|events)/.test(frame)) return "JS: node's stream and event machinery";
  if (/JS:.*node:_http/.test(frame)) return "JS: node's http";
  if (/JS:/.test(frame)) return 'JS: other';
  if (/openssl_tls\.node/.test(frame)) return 'addon C++';
  if (/napi_|v8impl|node::MakeCallback|InternalMakeCallback/.test(frame)) return 'N-API / MakeCallback';
  if (/libcrypto|libssl/.test(frame)) return 'OpenSSL';
  return 'V8/node runtime, libc';
}

function flush() {
  if (frames.length === 0) return;
  all += period;
  const category = CATEGORIES.find((c) => matches(c, frames))?.[0] ?? 'other';
  totals.set(category, totals.get(category) + period);
  if (category === 'other' && process.env.OTHER) {
    const key = frames.slice(0, 6).map((f) => f.replace(/^\S+\s+/, '').replace(/\+0x[0-9a-f]+.*/, '')).join(' < ');
    otherStacks.set(key, (otherStacks.get(key) ?? 0) + period);
  }
  if (category.startsWith('read path')) {
    const k = leafKind(frames[0]);
    readLeaf.set(k, (readLeaf.get(k) ?? 0) + period);
  }
  frames = [];
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (/^\S/.test(line)) {
    flush();
    const m = /:\s+(\d+)\s+cpu-clock/.exec(line);
    period = m ? Number(m[1]) : 0;
  } else if (line.trim() !== '') {
    frames.push(line.trim());
  }
});
rl.on('close', () => {
  flush();
  for (const [k, v] of [...otherStacks].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(v / 1e6).toFixed(1)} ms  ${k}`);
  const us = (ns) => (ns / 1000 / requests).toFixed(2).padStart(7);
  console.log(`${us(all)} µs of server CPU per request (${requests} requests, ${(all / 1e9).toFixed(2)} s sampled)`);
  for (const [name, ns] of [...totals].filter(([, ns]) => ns > 0).sort((a, b) => b[1] - a[1])) {
    console.log(`${us(ns)}  ${name}`);
    if (name.startsWith('read path')) {
      for (const [k, v] of [...readLeaf].sort((a, b) => b[1] - a[1])) console.log(`           ${us(v)}  ${k}`);
    }
  }
});
