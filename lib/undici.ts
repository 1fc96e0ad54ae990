// openssl-tls/undici: fetch() and undici over openssl-tls. buildConnector() is
// undici's connector option on our TLS (lib/http/undici_connector.ts); createAgent()
// is `new undici.Agent(options)` with it. undici is an optional peer dependency:
// this module loads without it, and only createAgent() needs it installed.
import { createRequire } from 'node:module';
import { buildConnector, type ConnectorOptions } from './http/undici_connector';

export type { ConnectCallback, ConnectParams, Connector, ConnectorOptions } from './http/undici_connector';
export { buildConnector };

/** undici.Agent's options, with `connect` as the options of our connector. */
export interface AgentOptions extends Record<string, unknown> {
  /** Let the Agent speak HTTP/2 where the server picks 'h2' (the connector offers it too). */
  allowH2?: boolean;
  connect?: ConnectorOptions;
}

interface UndiciModule {
  Agent: new (options: Record<string, unknown>) => unknown;
}

function loadUndici(): UndiciModule {
  try {
    return createRequire(__filename)('undici') as UndiciModule;
  } catch (err) {
    throw Object.assign(
      new Error("openssl-tls/undici: createAgent() needs the 'undici' package (npm install undici)"),
      {
        code: 'MODULE_NOT_FOUND',
        cause: err,
      },
    );
  }
}

/**
 * `new undici.Agent(options)` whose connections are openssl-tls's: pass it to fetch()
 * as `{ dispatcher }`, or install it with undici's setGlobalDispatcher().
 */
export function createAgent(options: AgentOptions = {}): unknown {
  const { connect, ...agentOptions } = options;
  const undici = loadUndici();
  const connector = buildConnector({ allowH2: options.allowH2, ...connect });
  return new undici.Agent({ ...agentOptions, connect: connector });
}
