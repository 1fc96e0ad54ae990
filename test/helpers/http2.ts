// What the http2 tests share.
import * as nodeHttp2 from 'node:http2';
import { waitFor } from './net';

const { HTTP2_HEADER_PATH, HTTP2_HEADER_STATUS } = nodeHttp2.constants;

/**
 * One request on `client`: status and body. Every listener is attached at once: over
 * node's JS stream wrapper (our sockets on the JS transport), node's http2 runs nested in
 * our read callback, so 'response' and 'end' of a headers-only answer come in one turn
 * (docs/ARCHITECTURE.md, "HTTP/2 over our socket").
 */
export async function fetchOn(
  client: nodeHttp2.ClientHttp2Session,
  path = '/',
): Promise<{ status: number; body: string }> {
  const req = client.request({ [HTTP2_HEADER_PATH]: path });
  const parts: Buffer[] = [];
  req.on('data', (d: Buffer) => parts.push(d));
  const [[headers]] = (await Promise.all([waitFor(req, 'response'), waitFor(req, 'end')])) as [
    [nodeHttp2.IncomingHttpHeaders],
    unknown,
  ];
  return { status: Number(headers[HTTP2_HEADER_STATUS]), body: Buffer.concat(parts).toString() };
}
