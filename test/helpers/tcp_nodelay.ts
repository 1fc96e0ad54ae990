// Whether the kernel has TCP_NODELAY on one of this process's TCP connections: the
// option a peer feels as "no Nagle stall", asked of the kernel itself rather than
// timed. The connection is found by its ports in /proc/net/tcp{,6} (its socket
// inode), then among this process's descriptors (/proc/self/fd); a python3 child
// that inherits that descriptor asks getsockopt(TCP_NODELAY) and lets it go.
// Node has no getsockopt of its own; the child's copy of the descriptor shares the
// socket, and letting it go (detach) leaves the connection alone.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** The socket inode of the established TCP connection from `localPort` to `remotePort`. */
function inodeOf(localPort: number, remotePort: number): string | undefined {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const port = (addr: string | undefined) => parseInt(addr?.split(':')[1] ?? '', 16);
      // 01: TCP_ESTABLISHED.
      if (port(f[1]) === localPort && port(f[2]) === remotePort && f[3] === '01') return f[9];
    }
  }
  return undefined;
}

/** This process's descriptor for socket `inode`. */
function fdOf(inode: string): number | undefined {
  for (const name of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${name}`) === `socket:[${inode}]`) return Number(name);
    } catch {
      // Closed while we looked (readdir's own descriptor, say).
    }
  }
  return undefined;
}

const probe =
  'import socket\n' +
  's = socket.socket(fileno=3)\n' +
  'print(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))\n' +
  's.detach()\n';

/**
 * TCP_NODELAY of this process's connection from `localPort` to `remotePort`, as the kernel
 * has it. Needs python3 (call needPeer(this, 'python3') first). Throws when this process
 * holds no such connection.
 */
export function tcpNoDelay(localPort: number, remotePort: number): boolean {
  const inode = inodeOf(localPort, remotePort);
  if (inode === undefined) throw new Error(`no established TCP connection ${localPort} → ${remotePort}`);
  const fd = fdOf(inode);
  if (fd === undefined) throw new Error(`connection ${localPort} → ${remotePort} is not this process's`);
  const r = spawnSync('python3', ['-c', probe], { stdio: ['ignore', 'pipe', 'pipe', fd], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`getsockopt(TCP_NODELAY) failed: ${r.stderr}`);
  return r.stdout.trim() !== '0';
}
