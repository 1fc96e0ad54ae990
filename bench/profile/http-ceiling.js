'use strict';
// The server of bench/profile/http-ceiling.sh: node's plain http (no TLS at all), node's
// https, or openssl-tls's https, each answering every request with the same 1 KiB (the
// bench's HTTP handler). Prints its port once listening.
//   node bench/profile/http-ceiling.js http|node|ours
const { body, httpModule } = require('../lib/http_servers');
const { serverIdentity } = require('../lib/fixtures');

const which = process.argv[2];
const handler = (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
};
const options = { ...serverIdentity('ec'), minVersion: 'TLSv1.3', noDelay: true };
const server =
  which === 'http'
    ? require('node:http').createServer({ noDelay: true }, handler)
    : httpModule(which, 'https').createServer(options, handler);
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
