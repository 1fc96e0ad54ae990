// createSecureContext's opensslConfig: OpenSSL's SSL_CONF commands, by the names
// an openssl.cnf ssl_conf section uses ({ Groups: 'X25519:P-256', Options:
// '-SessionTicket', MinProtocol: 'TLSv1.3', ... }; `man SSL_CONF_cmd`), applied
// in order after node's options, so they override them. The escape hatch for
// whatever node has no option for. OpenSSL checks each one; a refused command
// fails createSecureContext with OpenSSL's error, naming the command.
import { invalidArgType } from '../internal/errors';
import { validateObject } from '../internal/validators';
import type { NativeError, NativeSecureContext } from '../../typings/native';

export type OpenSSLConfig = Record<string, string | number>;

/** The commands as [name, value] pairs, checked for shape (OpenSSL checks the rest). */
function commandsOf(config: unknown, name: string): Array<[string, string]> {
  validateObject(config, name);
  return Object.entries(config).map(([command, value]) => {
    if (typeof value === 'number' && Number.isFinite(value)) return [command, String(value)];
    if (typeof value !== 'string') throw invalidArgType(`${name}.${command}`, ['string', 'number'], value);
    return [command, value];
  });
}

/** Applies `config` to the native context; OpenSSL's error names the command it refused. */
export function applyOpenSSLConfig(context: NativeSecureContext, config: unknown, name: string): void {
  const commands = commandsOf(config, name);
  try {
    context.applyConfig(commands);
  } catch (error) {
    const e = error as NativeError & { command?: string; value?: string };
    if (typeof e.command === 'string') e.message = `${e.message} (${name}: ${e.command} = '${e.value ?? ''}')`;
    throw error;
  }
}
