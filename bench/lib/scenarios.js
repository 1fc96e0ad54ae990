'use strict';
// The benchmark scenarios: what each one's server does (bench/server.js --mode ...),
// what load it gets (openssl s_time, or bench/load/tls-client.js), and what is counted.
// bench/run.js runs them all; `openssl-tls bench` (lib/cli/bench.ts) runs one, briefly.

function handshake(stimeProcs, id, title, cert, tlsv, resume) {
  return {
    id,
    title,
    group: resume ? 'Resumed handshakes' : 'Full handshakes',
    kind: 'stime',
    unit: 'handshakes/s',
    op: 'handshake',
    resume: resume !== undefined,
    server: { cert, tls: tlsv, mode: 'www', resume },
    flags: [resume ? '-reuse' : '-new', tlsv === '1.3' ? '-tls1_3' : '-tls1_2'],
    load: `${stimeProcs} × \`openssl s_time ${resume ? '-reuse' : '-new'} ${tlsv === '1.3' ? '-tls1_3' : '-tls1_2'} -www /\``,
  };
}

/**
 * HTTP scenarios: node's https/http2 against openssl-tls's, nginx (one process, the same
 * certificate) as the reference row. Every request is answered with 1 KiB; TLS 1.3, ECDSA.
 */
function httpScenarios(stimeProcs) {
  const server = (mode, resume) => ({ cert: 'ec', tls: '1.3', mode, ...(resume ? { resume } : {}) });
  const common = { group: 'HTTP', unit: 'requests/s', op: 'request', refs: ['nginx'] };
  return [
    {
      ...common,
      id: 'https-keepalive',
      title: 'HTTPS keep-alive, 1 KiB responses, 64 connections (TLS 1.3, ECDSA)',
      kind: 'wrk',
      server: server('https'),
      conns: 64,
      load: '`wrk -t1 -c64` (HTTP/1.1 keep-alive, `GET /`)',
    },
    {
      ...common,
      id: 'https-newconn-full',
      title: 'HTTPS, a new connection per request, full handshakes (TLS 1.3, ECDSA)',
      kind: 'stime',
      server: server('https'),
      flags: ['-new', '-tls1_3'],
      load: `${stimeProcs} × \`openssl s_time -new -tls1_3 -www /\` (handshake, \`GET / HTTP/1.0\`, 1 KiB, close)`,
    },
    {
      ...common,
      id: 'https-newconn-resumed',
      title: 'HTTPS, a new connection per request, resumed handshakes (TLS 1.3 tickets, ECDSA)',
      kind: 'stime',
      resume: true,
      server: server('https', 'tickets'),
      flags: ['-reuse', '-tls1_3'],
      load: `${stimeProcs} × \`openssl s_time -reuse -tls1_3 -www /\` (resumed handshake, \`GET / HTTP/1.0\`, 1 KiB, close)`,
    },
    {
      ...common,
      id: 'h2-streams',
      title: 'HTTP/2, 100 concurrent streams on one connection, 1 KiB responses (TLS 1.3, ECDSA)',
      kind: 'h2load',
      server: server('h2'),
      clients: 1,
      streams: 100,
      load: '`h2load -c1 -m100 -t1` (HTTP/2, `GET /`)',
    },
  ];
}

/**
 * Every scenario of the suite. `stimeProcs`: how many `openssl s_time` make the
 * handshake load; `idleConns`: connections held open by the memory scenario.
 */
function scenarios({ stimeProcs, idleConns }) {
  const hs = (...args) => handshake(stimeProcs, ...args);
  return [
    hs('hs-tls13-rsa', 'Full handshake, TLS 1.3, RSA-2048', 'rsa', '1.3'),
    hs('hs-tls13-ec', 'Full handshake, TLS 1.3, ECDSA P-256', 'ec', '1.3'),
    hs('hs-tls12-rsa', 'Full handshake, TLS 1.2, RSA-2048', 'rsa', '1.2'),
    hs('hs-tls12-ec', 'Full handshake, TLS 1.2, ECDSA P-256', 'ec', '1.2'),
    {
      ...hs('hs-2core-rsa', 'Full handshake, TLS 1.3, RSA-2048, one server process on both cores (offloadHandshake)', 'rsa', '1.3'),
      // node:tls runs every handshake on its main thread; openssl-tls with offloadHandshake
      // runs the steps on libuv's pool. Server and load share both cores, unpinned.
      cores: '0,1',
    },
    hs('resume-tls13-ticket', 'Resumed, TLS 1.3 ticket (RSA-2048 server)', 'rsa', '1.3', 'tickets'),
    hs('resume-tls12-ticket', 'Resumed, TLS 1.2 ticket (RSA-2048 server)', 'rsa', '1.2', 'tickets'),
    hs('resume-tls12-id', 'Resumed, TLS 1.2 session id (RSA-2048 server, no tickets)', 'rsa', '1.2', 'ids'),
    {
      id: 'bulk-c2s',
      title: 'Bulk, one connection, client→server, 64 KiB writes (TLS 1.3, ECDSA)',
      group: 'Throughput',
      kind: 'client',
      unit: 'MB/s',
      op: 'MB',
      server: { cert: 'ec', tls: '1.3', mode: 'sink' },
      client: { mode: 'source' },
      load: '1 node:tls client writing 64 KiB chunks; the server only reads; the rate is bytes the server received',
    },
    {
      id: 'bulk-s2c',
      title: 'Bulk, one connection, server→client, 64 KiB writes (TLS 1.3, ECDSA)',
      group: 'Throughput',
      kind: 'client',
      unit: 'MB/s',
      op: 'MB',
      server: { cert: 'ec', tls: '1.3', mode: 'source' },
      client: { mode: 'sink' },
      load: '1 node:tls client that only reads; the server writes 64 KiB chunks; the rate is bytes the client received',
    },
    {
      id: 'bulk',
      title: 'Bulk, one connection, both directions, 64 KiB writes (TLS 1.3, ECDSA)',
      group: 'Throughput',
      kind: 'client',
      unit: 'MB/s',
      op: 'MB',
      server: { cert: 'ec', tls: '1.3', mode: 'bulk' },
      client: { mode: 'bulk' },
      load: '1 node:tls client writing 64 KiB chunks; the rate is bytes received by both ends together',
    },
    {
      id: 'echo-256',
      title: 'Echo 1 KiB, 256 connections (TLS 1.3, ECDSA)',
      group: 'Throughput',
      kind: 'client',
      unit: 'echoes/s',
      op: 'echo',
      server: { cert: 'ec', tls: '1.3', mode: 'echo' },
      client: { mode: 'echo', conns: 256, size: 1024 },
      load: 'node:tls client, 256 connections, each sends 1 KiB and waits for it to come back',
    },
    {
      id: 'echo-2000',
      title: 'Echo 1 KiB, 2000 connections (TLS 1.3, ECDSA)',
      group: 'Throughput',
      kind: 'client',
      unit: 'echoes/s',
      op: 'echo',
      server: { cert: 'ec', tls: '1.3', mode: 'echo' },
      client: { mode: 'echo', conns: 2000, size: 1024 },
      load: 'node:tls client, 2000 connections, each sends 1 KiB and waits for it to come back',
    },
    {
      id: 'idle-rss',
      title: `Server RSS per idle connection, ${idleConns.toLocaleString('en-US')} connections (TLS 1.3, ECDSA)`,
      group: 'Memory',
      kind: 'idle',
      unit: 'bytes/conn',
      lowerIsBetter: true,
      server: { cert: 'ec', tls: '1.3', mode: 'idle' },
      client: { mode: 'idle', conns: idleConns, warm: 200 },
      load: `node:tls client opens 200 connections (warm-up), then ${(idleConns - 200).toLocaleString('en-US')} more; server RSS (after GC) before/after, divided`,
    },
    {
      id: 'client-hs',
      title: 'Client: full handshakes against a node:tls server (TLS 1.3, ECDSA)',
      group: 'Client side',
      kind: 'client',
      vary: 'client',
      unit: 'handshakes/s',
      op: 'handshake',
      server: { cert: 'ec', tls: '1.3', mode: 'www' },
      client: { mode: 'handshake', parallel: 8 },
      load: 'client under test, 8 concurrent loops of connect + `GET /` + close; server is node:tls',
    },
    {
      id: 'client-bulk',
      title: 'Client: bulk against a node:tls server, both directions, 64 KiB writes (TLS 1.3, ECDSA)',
      group: 'Client side',
      kind: 'client',
      vary: 'client',
      unit: 'MB/s',
      op: 'MB',
      server: { cert: 'ec', tls: '1.3', mode: 'bulk' },
      client: { mode: 'bulk' },
      load: 'client under test writing 64 KiB chunks; server is node:tls; rate counts both directions',
    },
    ...httpScenarios(stimeProcs),
  ];
}

module.exports = { scenarios };
