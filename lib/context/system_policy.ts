// The system OpenSSL's TLS policy (openssl.cnf's ssl_conf "system_default"
// section, or the file OPENSSL_CONF names) against node's defaults. OpenSSL
// applies that section in SSL_CTX_new; node:tls then sets its own defaults over
// it. Here, where the user sets nothing, the stricter of the two wins:
//   minimum version  the higher of node's default and MinProtocol
//   maximum version  the lower of node's default and MaxProtocol
//   TLS 1.2 ciphers  node's default list cut to what CipherString allows, in the system's order
//   TLS 1.3 suites   node's default suites cut to what Ciphersuites allows, in the system's order
//   groups, sigalgs, security level, Options: the system's (node sets none by default)
// An option given (minVersion, ciphers, ecdhCurve, sigalgs, ...), or a module
// default the program changed (tls.DEFAULT_MIN_VERSION = ..., --tls-min-v1.0, ...),
// is explicit and overrides the system's.
import { binding } from '../internal/binding';
import { defaults, NODE_DEFAULTS } from './defaults';

/** Where an effective default comes from. */
export type DefaultSource = 'node' | 'openssl.cnf' | 'openssl' | 'tls.DEFAULT';

export interface EffectiveDefault<T> {
  value: T;
  source: DefaultSource;
}

export interface SystemDefaults {
  /** The configuration file the system OpenSSL read (OPENSSL_CONF, or OPENSSLDIR/openssl.cnf). */
  configFile: string;
  /** The section its ssl_conf module names system_default; null: none. */
  section: string | null;
  /** That section's SSL_CONF commands as written ({ MinProtocol: 'TLSv1.3', ... }). */
  commands: Record<string, string>;
  /** What a fresh SSL_CTX holds after them. null: the system sets no bound / no list. */
  minVersion: string | null;
  maxVersion: string | null;
  securityLevel: number;
  /** TLS 1.2 cipher names, colon-separated, when CipherString is set. */
  ciphers: string | null;
  /** TLS 1.3 suites, colon-separated, when Ciphersuites is set. */
  ciphersuites: string | null;
  groups: string | null;
  sigalgs: string | null;
  /** What createSecureContext({}) gets now, and where each value comes from. */
  effective: {
    minVersion: EffectiveDefault<string>;
    maxVersion: EffectiveDefault<string>;
    ciphers: EffectiveDefault<string>;
    ciphersuites: EffectiveDefault<string>;
    ecdhCurve: EffectiveDefault<string>;
    sigalgs: EffectiveDefault<string | null>;
    securityLevel: EffectiveDefault<number>;
  };
}

// Read once: OpenSSL applies the configuration it loaded when the addon started.
const raw = binding.systemDefaults();
const commands: Record<string, string> = {};
for (const [name, value] of raw.commands) commands[name] = value;

const versionNames = new Map(Object.entries(binding.protocolVersions).map(([name, n]) => [n, name]));

/** A command's value; SSL_CONF matches file command names without regard to case. */
function command(...names: string[]): string | undefined {
  const wanted = names.map((n) => n.toLowerCase());
  let found: string | undefined;
  for (const [name, value] of raw.commands) if (wanted.includes(name.toLowerCase())) found = value;
  return found;
}

function versionNumber(name: string): number {
  return binding.protocolVersions[name] ?? 0;
}

/**
 * The minimum version of a context given no minVersion (and no secureProtocol).
 * `explicitMax`: the maxVersion given, which a system minimum never exceeds.
 */
export function defaultMinVersion(explicitMax?: number): EffectiveDefault<number> {
  const nodeMin = versionNumber(defaults.DEFAULT_MIN_VERSION);
  if (defaults.DEFAULT_MIN_VERSION !== NODE_DEFAULTS.DEFAULT_MIN_VERSION)
    return { value: nodeMin, source: 'tls.DEFAULT' };
  if (raw.minVersion > nodeMin && (explicitMax === undefined || explicitMax === 0 || raw.minVersion <= explicitMax)) {
    return { value: raw.minVersion, source: 'openssl.cnf' };
  }
  return { value: nodeMin, source: 'node' };
}

/** The maximum version of a context given no maxVersion; never below an explicit minimum. */
export function defaultMaxVersion(explicitMin?: number): EffectiveDefault<number> {
  const nodeMax = versionNumber(defaults.DEFAULT_MAX_VERSION);
  if (defaults.DEFAULT_MAX_VERSION !== NODE_DEFAULTS.DEFAULT_MAX_VERSION)
    return { value: nodeMax, source: 'tls.DEFAULT' };
  if (
    raw.maxVersion !== 0 &&
    raw.maxVersion < nodeMax &&
    (explicitMin === undefined || raw.maxVersion >= explicitMin)
  ) {
    return { value: raw.maxVersion, source: 'openssl.cnf' };
  }
  return { value: nodeMax, source: 'node' };
}

/** The system's names kept in its order, cut to `allowed`; all of them when that leaves none. */
function stricter(system: string[], allowed: string[]): string[] {
  const kept = system.filter((name) => allowed.includes(name));
  return kept.length > 0 ? kept : system;
}

let expandedFor: string | undefined;
let expanded: string[] = [];

/** node's default TLS 1.2 list as names (cached for the current DEFAULT_CIPHERS). */
function nodeCipherNames(list: string): string[] {
  if (expandedFor !== list) {
    expanded = list === '' ? [] : binding.cipherNames(list);
    expandedFor = list;
  }
  return expanded;
}

/**
 * The cipher string (node's format: TLS_ suites and the TLS 1.2 list in one)
 * of a context given no `ciphers`, with where each half comes from.
 */
export function defaultCiphers(): { ciphers: EffectiveDefault<string>; ciphersuites: EffectiveDefault<string> } {
  const entries = defaults.DEFAULT_CIPHERS.split(':').filter((c) => c.length > 0);
  const nodeSuites = entries.filter((c) => c.startsWith('TLS_'));
  const nodeList = entries.filter((c) => !c.startsWith('TLS_')).join(':');
  const userSet = defaults.DEFAULT_CIPHERS !== NODE_DEFAULTS.DEFAULT_CIPHERS;
  const nodeSource: DefaultSource = userSet ? 'tls.DEFAULT' : 'node';
  let ciphers: EffectiveDefault<string> = { value: nodeList, source: nodeSource };
  let ciphersuites: EffectiveDefault<string> = { value: nodeSuites.join(':'), source: nodeSource };
  if (!userSet && command('CipherString') !== undefined && raw.ciphers.length > 0) {
    ciphers = { value: stricter(raw.ciphers, nodeCipherNames(nodeList)).join(':'), source: 'openssl.cnf' };
  }
  if (!userSet && command('Ciphersuites') !== undefined && raw.ciphersuites.length > 0) {
    ciphersuites = { value: stricter(raw.ciphersuites, nodeSuites).join(':'), source: 'openssl.cnf' };
  }
  return { ciphers, ciphersuites };
}

/** defaultCiphers() as one string in DEFAULT_CIPHERS's format. */
export function defaultCipherString(): string {
  const { ciphers, ciphersuites } = defaultCiphers();
  return [ciphersuites.value, ciphers.value].filter((s) => s !== '').join(':');
}

function versionName(n: number): string | null {
  return n === 0 ? null : (versionNames.get(n) ?? `0x${n.toString(16)}`);
}

/** tls.systemDefaults(): the system's TLS policy and what it makes of node's defaults. */
export function systemDefaults(): SystemDefaults {
  const min = defaultMinVersion();
  const max = defaultMaxVersion();
  const { ciphers, ciphersuites } = defaultCiphers();
  const groups = command('Groups', 'Curves') ?? null;
  const sigalgs = command('SignatureAlgorithms') ?? null;
  const ecdhUserSet = defaults.DEFAULT_ECDH_CURVE !== NODE_DEFAULTS.DEFAULT_ECDH_CURVE;
  const cipherString = command('CipherString');
  return {
    configFile: raw.configFile,
    section: raw.section,
    commands: { ...commands },
    minVersion: command('MinProtocol') !== undefined ? versionName(raw.minVersion) : null,
    maxVersion: command('MaxProtocol') !== undefined ? versionName(raw.maxVersion) : null,
    securityLevel: raw.securityLevel,
    ciphers: cipherString !== undefined ? raw.ciphers.join(':') : null,
    ciphersuites: command('Ciphersuites') !== undefined ? raw.ciphersuites.join(':') : null,
    groups,
    sigalgs,
    effective: {
      minVersion: { value: versionName(min.value) ?? '', source: min.source },
      maxVersion: { value: versionName(max.value) ?? '', source: max.source },
      ciphers,
      ciphersuites,
      ecdhCurve: ecdhUserSet
        ? { value: defaults.DEFAULT_ECDH_CURVE, source: 'tls.DEFAULT' }
        : groups !== null
          ? { value: groups, source: 'openssl.cnf' }
          : { value: 'auto', source: 'openssl' },
      sigalgs: sigalgs !== null ? { value: sigalgs, source: 'openssl.cnf' } : { value: null, source: 'openssl' },
      securityLevel: {
        value: raw.securityLevel,
        source: cipherString !== undefined && /@SECLEVEL=/i.test(cipherString) ? 'openssl.cnf' : 'openssl',
      },
    },
  };
}
