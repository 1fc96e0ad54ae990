import * as fs from 'node:fs';
import * as path from 'node:path';

export const fixturesDir = path.join(__dirname, '..', 'fixtures', 'generated');

/** Bytes of a generated fixture, e.g. fixture('server-rsa.pem'). */
export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(fixturesDir, name));
}

/** Absolute path of a generated fixture, for command-line peers. */
export function fixturePath(name: string): string {
  return path.join(fixturesDir, name);
}
