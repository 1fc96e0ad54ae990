// The node command-line flags node:tls reads itself (--tls-keylog, --trace-tls),
// where node:tls has no public way to report them: taken from NODE_OPTIONS and
// then the command line (process.execArgv), which wins, as node reads them.
// (--tls-min-v1.x, --tls-max-v1.x and --tls-cipher-list need no parsing: node
// applies them to node:tls's DEFAULT_* values, which lib/context/defaults.ts reads.)

/** NODE_OPTIONS split as node splits it: on spaces, double quotes grouping, backslash escaping inside them. */
function splitNodeOptions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes && c === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (c === '"') {
      inQuotes = !inQuotes;
      started = true;
    } else if (c === ' ' && !inQuotes) {
      if (started) out.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (started) out.push(current);
  return out;
}

interface Flags {
  strings: Map<string, string>;
  booleans: Map<string, boolean>;
}

// Flags that take a value ("--name=value" or "--name value").
const kStringFlags = new Set(['--tls-keylog']);
const kBooleanFlags = new Set(['--trace-tls']);

function parse(args: readonly string[], into: Flags): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === undefined || !arg.startsWith('--')) continue;
    if (arg === '--') break;
    const eq = arg.indexOf('=');
    // node reads "--a_b" as "--a-b".
    const name = (eq === -1 ? arg : arg.slice(0, eq)).replace(/_/g, '-');
    if (kStringFlags.has(name)) {
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value !== undefined) into.strings.set(name, value);
    } else if (kBooleanFlags.has(name)) {
      into.booleans.set(name, true);
    } else if (name.startsWith('--no-') && kBooleanFlags.has(`--${name.slice(5)}`)) {
      into.booleans.set(`--${name.slice(5)}`, false);
    }
  }
}

let flags: Flags | undefined;

function nodeFlags(): Flags {
  if (flags === undefined) {
    flags = { strings: new Map(), booleans: new Map() };
    parse(splitNodeOptions(process.env.NODE_OPTIONS ?? ''), flags);
    parse(process.execArgv, flags);
  }
  return flags;
}

/** A string flag's value ('--tls-keylog'), undefined when not given. */
export function nodeStringFlag(name: '--tls-keylog'): string | undefined {
  return nodeFlags().strings.get(name);
}

/** A boolean flag ('--trace-tls'). */
export function nodeBooleanFlag(name: '--trace-tls'): boolean {
  return nodeFlags().booleans.get(name) ?? false;
}
