// The module imported from ESM: node names a CommonJS module's exports with
// cjs-module-lexer, which sees only some ways of defining them; every export of
// node:tls must be a named import, with its value (runs on dist/, which
// `npm test` builds first).
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as nodeTls from 'node:tls';

describe('the module in ESM', () => {
  it('every export is a named import, with its current value', async () => {
    const dist = require.resolve('../dist/index.js');
    const script = `
      import * as m from ${JSON.stringify(dist)};
      import * as n from 'node:tls';
      import { DEFAULT_MIN_VERSION, CLIENT_RENEG_LIMIT, checkServerIdentity, connect } from ${JSON.stringify(dist)};
      const missing = Object.keys(n).filter((k) => !(k in m));
      console.log(JSON.stringify({ missing, values: [DEFAULT_MIN_VERSION, CLIENT_RENEG_LIMIT, typeof checkServerIdentity, typeof connect] }));`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], (e, stdout, stderr) =>
        e ? reject(new Error(stderr)) : resolve(stdout),
      ),
    );
    const got = JSON.parse(out) as { missing: string[]; values: unknown[] };
    assert.deepEqual(got.missing, []);
    assert.deepEqual(got.values, [nodeTls.DEFAULT_MIN_VERSION, nodeTls.CLIENT_RENEG_LIMIT, 'function', 'function']);
  });
});
