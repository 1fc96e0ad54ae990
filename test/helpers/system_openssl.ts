// The system's OpenSSL as its own command reports it: the library the `openssl`
// binary runs on (its "Library:" part when the binary was built on another release)
// and OPENSSLDIR. What a normal build of the addon (libssl.so.3) runs on too.
import { execFileSync } from 'node:child_process';

export function systemOpenSSL(): { version: string; dir: string } {
  const out = execFileSync('openssl', ['version', '-a'], { encoding: 'utf8' });
  const version = /^OpenSSL [^ ]+ [^(\n]+?(?= \(|$)/m.exec(out)?.[0] ?? '';
  const lib = /\(Library: ([^)]+)\)/.exec(out)?.[1];
  const dir = /^OPENSSLDIR: "([^"]*)"/m.exec(out)?.[1] ?? '';
  return { version: lib ?? version, dir };
}
