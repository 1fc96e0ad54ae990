// Loads the addon so that it binds to the system libssl/libcrypto, not to the
// OpenSSL symbols Node's own binary exports (see docs/ARCHITECTURE.md, "Loading").
import * as os from 'node:os';
import * as path from 'node:path';
import type { NativeBinding } from '../../typings/native';

// node-gyp-build has no types; this is the one function we use from it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };

function load(): { binding: NativeBinding; file: string } {
  const root = path.join(__dirname, '..', '..');
  const file = process.env.OPENSSL_TLS_ADDON || nodeGypBuild.path(root);
  const mod = { exports: {} as NativeBinding };
  // A sanitizer build links OpenSSL statically with hidden symbols and cannot be
  // opened with RTLD_DEEPBIND (the sanitizer runtime refuses it).
  const flags =
    process.env.OPENSSL_TLS_NO_DEEPBIND === '1'
      ? os.constants.dlopen.RTLD_NOW
      : os.constants.dlopen.RTLD_NOW | (os.constants.dlopen.RTLD_DEEPBIND ?? 0);
  process.dlopen(mod, file, flags);
  return { binding: mod.exports, file };
}

const loaded = load();
export const binding: NativeBinding = loaded.binding;
/** The addon file that was loaded (a prebuild, or build/Release). */
export const addonPath: string = loaded.file;
