'use strict';
// Readers for /proc: a process's CPU time and RSS, and the machine's description.
const fs = require('node:fs');
const os = require('node:os');
const { execFileSync } = require('node:child_process');

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // 100 is the Linux default.
}

/** utime+stime of a process (all its threads) in seconds, from /proc/PID/stat. */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after it start past ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Resident set size of a process in bytes, from /proc/PID/status. */
function rssBytes(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? m[1].trim() : os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function run(cmd, argv) {
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unavailable';
  }
}

/** nproc, CPU model, kernel, node and OpenSSL versions. */
function machine(oursVersion) {
  return {
    nproc: run('nproc', []),
    cpu: cpuModel(),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    nodeOpenssl: process.versions.openssl,
    systemOpenssl: run('openssl', ['version']),
    oursOpenssl: oursVersion,
    fdLimit: run('sh', ['-c', 'ulimit -n']),
  };
}

module.exports = { cpuSeconds, rssBytes, machine, clockTicks };

/** Busy and total jiffies of one CPU from /proc/stat (busy = all but idle and iowait). */
function coreTimes(core) {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${core} `));
  if (!line) return { busy: NaN, total: NaN };
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest is inside user.
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3] + v[4];
  return { busy: total - idle, total };
}

module.exports.coreTimes = coreTimes;

const PF_KTHREAD = 0x00200000;

/** CPU seconds used so far by all kernel threads (ksoftirqd, kworkers: the bench's own networking). */
function kernelThreadsCpu() {
  let t = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3; flags is field 9, utime and stime fields 14 and 15.
    if ((Number(f[6]) & PF_KTHREAD) !== 0) t += (Number(f[11]) + Number(f[12])) / clockTicks;
  }
  return t;
}

/** Busy CPU seconds of the whole machine so far (all CPUs; steal included), from /proc/stat. */
function machineBusy() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is inside user).
  return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / clockTicks;
}

module.exports.kernelThreadsCpu = kernelThreadsCpu;
module.exports.machineBusy = machineBusy;
