// Fuzz inputs through the JS API: every committed regression (test/fuzz/regressions/<target>/,
// inputs a fuzzer once crashed on) and every seed (test/fuzz/corpus/<target>/) must give a
// result or a clean Error, never a crash, and leave OpenSSL's error queue empty.
// scripts/fuzz.sh replays the same files through the libFuzzer targets themselves.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as nodeTls from 'node:tls';
import * as path from 'node:path';
import { binding } from '../lib/internal/binding';
import { createSecureContext, type SecureContextOptions } from '../lib/context/secure_context';

const fuzzDir = path.join(__dirname, 'fuzz');

/** The input files of one target in one of the two trees (dotfiles and notes left out). */
function inputs(tree: 'regressions' | 'corpus', target: string): string[] {
  const dir = path.join(fuzzDir, tree, target);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => !name.startsWith('.') && !name.endsWith('.md'))
    .map((name) => path.join(dir, name))
    .sort();
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: Error & { code?: string } };

/** Runs fn: its value, or the Error it threw (anything else thrown fails the test). */
function attempt(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`);
    assert.equal(typeof error.message, 'string');
    return { ok: false, error };
  }
}

function assertQueueEmpty(): void {
  assert.equal(binding.errorQueueLength(), 0, 'OpenSSL error queue left non-empty');
}

function assertCertificateObject(value: unknown): void {
  const cert = value as Record<string, unknown>;
  assert.ok(Buffer.isBuffer(cert.raw) && cert.raw.length > 0, 'raw');
  assert.match(String(cert.fingerprint256), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(typeof cert.serialNumber, 'string');
  assert.equal(typeof cert.valid_from, 'string');
}

// ---- x509: native/fuzz/fuzz_x509.cc reads the bytes as DER and as PEM.

/** DER through certificateToObject; PEM through a context's certificate, then the same. */
function replayX509(bytes: Buffer): Outcome[] {
  const der = attempt(() => binding.certificateToObject(bytes));
  assertQueueEmpty();
  if (der.ok) assertCertificateObject(der.value);
  const outcomes = [der];
  if (bytes.includes('-----BEGIN')) {
    const pem = attempt(() => {
      const leaf = createSecureContext({ cert: bytes }).context.getCertificateDer();
      assert.ok(leaf, 'a context made with a cert has one');
      return binding.certificateToObject(leaf);
    });
    assertQueueEmpty();
    if (pem.ok) assertCertificateObject(pem.value);
    outcomes.push(pem);
  }
  return outcomes;
}

// ---- context_loading: the input format of native/fuzz/fuzz_context_loading.cc.

/** The createSecureContext options one fuzz input stands for. */
export function contextOptions(input: Buffer): SecureContextOptions {
  let pos = 1;
  const take = (n: number): Buffer => {
    const part = input.subarray(pos, Math.min(pos + n, input.length));
    pos += part.length;
    return part;
  };
  const passphrase = (): string | undefined => {
    if (pos >= input.length) return undefined;
    const len = input[pos++];
    return len === 0xff ? undefined : take(len).toString('latin1');
  };
  const rest = (): Buffer => take(input.length - pos);
  switch (input[0] % 7) {
    case 0:
      return { cert: rest() };
    case 1: {
      const pass = passphrase();
      return { key: rest(), passphrase: pass };
    }
    case 2:
      return { ca: rest() };
    case 3:
      return { crl: rest() };
    case 4: {
      const pass = passphrase();
      return { pfx: rest(), passphrase: pass };
    }
    case 5: {
      const certLen = (take(1)[0] ?? 0) * 256 + (take(1)[0] ?? 0);
      const cert = take(certLen);
      const pass = passphrase();
      return { cert, key: rest(), passphrase: pass };
    }
    default:
      return { dhparam: rest() };
  }
}

function replayContext(bytes: Buffer): Outcome | undefined {
  if (bytes.length === 0) return undefined; // the fuzz target ignores it too
  const outcome = attempt(() => createSecureContext(contextOptions(bytes)));
  assertQueueEmpty();
  return outcome;
}

// ---- tls_server, tls_client: the input layout of native/fuzz/tls_harness.h
// (an options byte, then chunks of encrypted input, each a length byte, 0 = the rest),
// fed to a Connection the way TLSSocket feeds it, every pause answered.

const tlsFlags = { pauseHello: 1, pauseCert: 2, requestCert: 4, alpn: 8, report: 16, tls12: 32, refuse: 64, ocsp: 128 };
let tlsContexts: { modern: SecureContextOptions; legacy: SecureContextOptions } | null = null;

function tlsContext(tls12: boolean) {
  if (tlsContexts === null) {
    const gen = path.join(__dirname, 'fixtures', 'generated');
    const base = {
      key: fs.readFileSync(path.join(gen, 'server-ec-key.pem')),
      cert: fs.readFileSync(path.join(gen, 'server-ec.pem')),
    };
    tlsContexts = { modern: base, legacy: { ...base, maxVersion: 'TLSv1.2' } };
  }
  return createSecureContext(tls12 ? tlsContexts.legacy : tlsContexts.modern);
}

function replayTls(bytes: Buffer, isServer: boolean): Outcome[] {
  if (bytes.length === 0) return [];
  const flags = bytes[0];
  const has = (bit: number) => (flags & bit) !== 0;
  const alpn = has(tlsFlags.alpn) ? Buffer.from('\x02h2\x08http/1.1', 'latin1') : undefined;
  const conn = new binding.Connection(tlsContext(has(tlsFlags.tls12)).context, {
    isServer,
    pauseOnClientHello: isServer && has(tlsFlags.pauseHello),
    pauseOnCertificate: isServer && has(tlsFlags.pauseCert),
    requestCert: isServer && has(tlsFlags.requestCert),
    rejectUnauthorized: true,
    reportSessions: has(tlsFlags.report),
    reportKeylog: has(tlsFlags.report),
    alpnProtocols: alpn,
    npnProtocols:
      !isServer && has(tlsFlags.requestCert) && binding.features.npn
        ? Buffer.from('\x08http/1.1', 'latin1')
        : undefined,
    requestOCSP: !isServer && has(tlsFlags.ocsp),
    servername: isServer ? undefined : 'fuzz.example',
  });
  const outcomes: Outcome[] = [];
  const step = (fn: () => ReturnType<typeof conn.receive>): boolean => {
    const outcome = attempt(fn);
    assertQueueEmpty();
    outcomes.push(outcome);
    if (!outcome.ok) return false;
    const r = outcome.value as ReturnType<typeof conn.receive>;
    if ((r.status & binding.status.ERROR) !== 0) {
      assert.ok(r.error instanceof Error, 'a failed call carries its error');
      return false;
    }
    if ((r.status & binding.status.PAUSED) !== 0) {
      assert.ok(r.pause !== undefined, 'a paused call says why');
      const answer = has(tlsFlags.refuse)
        ? { alpn: false as const, ocspResponse: Buffer.from('30030a0101', 'hex') }
        : {};
      return step(() => conn.resume(answer));
    }
    return true;
  };
  try {
    if (!step(() => conn.start())) return outcomes;
    for (let i = 1; i < bytes.length;) {
      let len = bytes[i++];
      if (len === 0 || len > bytes.length - i) len = bytes.length - i;
      const chunk = bytes.subarray(i, i + len);
      i += len;
      if (!step(() => conn.receive(chunk))) break;
    }
  } finally {
    conn.destroy();
  }
  return outcomes;
}

const replayers: Record<string, (bytes: Buffer) => unknown> = {
  x509: replayX509,
  context_loading: replayContext,
  tls_server: (bytes) => replayTls(bytes, true),
  tls_client: (bytes) => replayTls(bytes, false),
};

describe('fuzz inputs through the JS API', () => {
  for (const tree of ['regressions', 'corpus'] as const) {
    const targets = fs.existsSync(path.join(fuzzDir, tree)) ? fs.readdirSync(path.join(fuzzDir, tree)).sort() : [];
    for (const target of targets) {
      const replay = replayers[target];
      const files = inputs(tree, target);
      if (!replay) {
        // A target whose inputs only scripts/fuzz.sh replays (no JS entry point here yet).
        it.skip(`${tree}/${target}: ${files.length} inputs (no JS replay for this target)`);
        continue;
      }
      it(`${tree}/${target}: ${files.length} inputs, each a result or a clean error`, () => {
        for (const file of files) {
          try {
            replay(fs.readFileSync(file));
          } catch (error) {
            (error as Error).message = `${path.relative(fuzzDir, file)}: ${(error as Error).message}`;
            throw error;
          }
        }
      });
    }
  }

  // The seeds exercise what they are named for, so the decoding above is the fuzzer's.
  describe('the seeds decode as the fuzz targets read them', () => {
    const seed = (target: string, name: string): Buffer => fs.readFileSync(path.join(fuzzDir, 'corpus', target, name));

    it('x509: every DER seed is a certificate object, every PEM seed one through a context', () => {
      for (const file of inputs('corpus', 'x509')) {
        const outcomes = replayX509(fs.readFileSync(file));
        const pem = file.endsWith('.pem');
        assert.equal(outcomes.length, pem ? 2 : 1, file);
        assert.ok(outcomes[pem ? 1 : 0].ok, `${path.basename(file)} gave no certificate object`);
      }
    });

    it('context_loading: each seed has the outcome node:tls has for the same options', () => {
      for (const file of inputs('corpus', 'context_loading')) {
        const options = contextOptions(fs.readFileSync(file));
        const mine = attempt(() => createSecureContext(options));
        const theirs = attempt(() => nodeTls.createSecureContext(options as nodeTls.SecureContextOptions));
        const name = path.basename(file);
        assert.equal(
          mine.ok,
          theirs.ok,
          `${name}: ours ${mine.ok ? 'ok' : mine.error.message}, node ${theirs.ok ? 'ok' : theirs.error.message}`,
        );
        if (!mine.ok && !theirs.ok) assert.equal(mine.error.code, theirs.error.code, name);
      }
    });

    it('context_loading: a matching key loads, a mismatched one and a wrong passphrase fail', () => {
      assert.ok(replayContext(seed('context_loading', 'cert-key-match'))?.ok);
      assert.ok(replayContext(seed('context_loading', 'pfx-with-ca'))?.ok);
      const mismatch = replayContext(seed('context_loading', 'cert-key-mismatch'));
      assert.ok(mismatch && !mismatch.ok);
      assert.equal(mismatch.error.code, 'ERR_OSSL_X509_KEY_VALUES_MISMATCH');
      const wrong = replayContext(seed('context_loading', 'key-wrong-passphrase'));
      assert.ok(wrong && !wrong.ok);
      assert.equal(wrong.error.code, 'ERR_OSSL_BAD_DECRYPT');
    });
  });
});
