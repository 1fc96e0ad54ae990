// The command line's options: node's util.parseArgs with the CLI's exit codes. A bad
// option or argument is a UsageError (exit 9, node's "Invalid Argument").
import { parseArgs } from 'node:util';

/** Exit codes, as node uses them: 0 success, 1 a failure at run time, 9 an invalid argument. */
export const EXIT = { ok: 0, failure: 1, usage: 9 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
export type Values = Record<string, string | boolean | undefined>;

/** Parses `args` against `spec` (plus --help and --json); throws UsageError with parseArgs's message. */
export function parse(args: string[], spec: OptionSpec): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...spec, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A string option's value, or undefined. */
export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** An integer option within [min, max], or `fallback` when absent. */
export function int(values: Values, name: string, fallback: number, min: number, max: number): number {
  const v = str(values, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not '${v}'`);
  return n;
}

/** A positive number option (seconds), or `fallback`. */
export function seconds(values: Values, name: string, fallback: number): number {
  const v = str(values, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 3600)
    throw new UsageError(`--${name} must be a number of seconds above 0, not '${v}'`);
  return n;
}

/** 'h2,http/1.1' as ['h2', 'http/1.1']. */
export function list(values: Values, name: string): string[] | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw new UsageError(`--${name} takes a comma-separated list without empty names, not '${v}'`);
  return items;
}

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type Version = (typeof VERSIONS)[number];

/** --min/--max: one of node's version names. */
export function version(values: Values, name: string): Version | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (!(VERSIONS as readonly string[]).includes(v))
    throw new UsageError(`--${name} must be one of ${VERSIONS.join(', ')}, not '${v}'`);
  return v as Version;
}
