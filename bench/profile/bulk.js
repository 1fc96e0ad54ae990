'use strict';
// node bench/profile/bulk.js PORT DIRECTION WARM_MIB MIB SERVER_PID
// One node:tls connection. c2s: writes WARM_MIB, waits for the server to drain it,
// zeroes the server's callgrind counters, writes MIB more and ends. s2c: reads
// WARM_MIB from a --mode source server, zeroes the counters, reads MIB more and
// dumps them. (bench/profile/bulk-instructions.sh runs it.)
const tls = require('node:tls');
const { execFileSync } = require('node:child_process');

const [port, direction, warmMiB, mib, pid] = [
  Number(process.argv[2]),
  process.argv[3],
  Number(process.argv[4]),
  Number(process.argv[5]),
  process.argv[6],
];
const MiB = 1024 * 1024;
const callgrind = (cmd) => execFileSync('callgrind_control', [cmd, pid], { stdio: 'ignore' });
const chunk = Buffer.alloc(64 * 1024, 0x63);

const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, minVersion: 'TLSv1.3' }, () => {
  if (direction !== 'c2s') return;
  let sent = 0;
  let zeroed = false;
  const pump = () => {
    while (sent < (warmMiB + mib) * MiB) {
      if (!zeroed && sent >= warmMiB * MiB) {
        zeroed = true;
        // The warm-up must be through the server before its counters are zeroed.
        const settle = () => {
          if (socket.writableLength > 0) return setTimeout(settle, 200);
          setTimeout(() => {
            callgrind('--zero');
            pump();
          }, 1500);
        };
        settle();
        return;
      }
      sent += chunk.length;
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
});

let got = 0;
let zeroed = false;
socket.on('data', (d) => {
  if (direction !== 's2c') return;
  got += d.length;
  if (!zeroed && got >= warmMiB * MiB) {
    zeroed = true;
    got = 0;
    callgrind('--zero');
  } else if (zeroed && got >= mib * MiB) {
    socket.pause();
    callgrind('--dump');
    process.exit(0);
  }
});
socket.on('error', () => {});
socket.on('close', () => process.exit(0));
