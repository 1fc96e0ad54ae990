// Beyond node:tls: the system OpenSSL's TLS policy. openssl.cnf's ssl_conf
// "system_default" section (or the file OPENSSL_CONF names) applies where the
// program sets nothing, when it is stricter than node's defaults; an option
// given still overrides it. This prints where each default comes from, then
// connects a client to a server, both on defaults, and prints what they chose.
//   OPENSSL_CONF=/path/to/policy.cnf node examples/system-policy.js
// Run it in a directory holding server-key.pem and server-cert.pem.
const tls = require('openssl-tls');
const fs = require('fs');

const policy = tls.systemDefaults();
console.log(`configuration: ${policy.configFile}`);
console.log(`system_default section: ${policy.section ?? '(none)'}`);
for (const [name, value] of Object.entries(policy.commands)) console.log(`  ${name} = ${value}`);
for (const [name, { value, source }] of Object.entries(policy.effective)) {
  console.log(`default ${name}: ${value} (from ${source})`);
}

const cert = fs.readFileSync('server-cert.pem');
const server = tls.createServer({ key: fs.readFileSync('server-key.pem'), cert }, (socket) => socket.end());
server.listen(0, '127.0.0.1', () => {
  const client = tls.connect({ port: server.address().port, host: '127.0.0.1', ca: cert, servername: 'localhost' }, () => {
    console.log(`negotiated: ${client.getProtocol()} ${client.getCipher().name}`);
    client.end();
    server.close();
  });
  client.on('error', (err) => {
    console.log(`refused: ${err.code}`);
    server.close();
  });
});
