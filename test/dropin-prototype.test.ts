// TLSSocket.prototype read as an object: node's socket getters answer undefined there
// (node's test-net-access-byteswritten.js reads bytesWritten off the prototypes), where
// ours threw (a private field read off the prototype) or answered as for a socket.
import { strict as assert } from 'node:assert';
import * as nodeTls from 'node:tls';
import * as tls from '../lib/index';

const getters = [
  'bytesWritten',
  'bytesRead',
  'bufferSize',
  'timeout',
  'connecting',
  'pending',
  'readyState',
  'remoteAddress',
  'remotePort',
  'localAddress',
  'localPort',
  'secureConnecting',
  '_requestCert',
  '_rejectUnauthorized',
  '_controlReleased',
];

/** Each getter's value on `proto`, or the message it throws. */
function read(proto: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of getters) {
    try {
      out[name] = (proto as Record<string, unknown>)[name];
    } catch (error) {
      out[name] = `throws ${(error as Error).message}`;
    }
  }
  return out;
}

describe('drop-in: TLSSocket.prototype', () => {
  it("the socket getters read off the prototype answer as node:tls's", () => {
    const expected = read(nodeTls.TLSSocket.prototype);
    assert.equal(expected.bytesWritten, undefined);
    assert.deepEqual(read(tls.TLSSocket.prototype), expected);
  });

  it('and on a socket they still answer for it, as node:tls', () => {
    const seen = [nodeTls, tls].map((impl) => {
      const s = new (impl as typeof nodeTls).TLSSocket(null as unknown as nodeTls.TLSSocket);
      const values = [s.bytesWritten, s.connecting, (s as unknown as { secureConnecting: boolean }).secureConnecting];
      s.destroy();
      return values;
    });
    assert.deepEqual(seen[1], seen[0]);
    assert.deepEqual(seen[0], [0, true, true]);
  });
});
