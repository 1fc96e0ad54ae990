// Beyond node:tls: a server whose private key never leaves its store (an HSM
// or smart card, a TPM, a provider's key file). The key is named, not read:
//   node examples/store-key-server.js CERT.pem 'pkcs11:token=t;object=k;type=private' pkcs11
//       through an OpenSSL ENGINE (node's privateKeyEngine + privateKeyIdentifier;
//       the pkcs11 engine reaches a PKCS#11 token such as SoftHSM or a YubiKey)
//   node examples/store-key-server.js CERT.pem file:/path/tpm-key.pem
//       through OSSL_STORE and the providers openssl.cnf loads (privateKeyUri:
//       pkcs11:, a tpm2-openssl key file, an encrypted PEM file, ...)
// KEY_PIN, when set, answers the token's PIN (or the key file's passphrase) prompt.
// It serves "signed by a key in its store" on port 8443 (PORT overrides).
const tls = require('openssl-tls');
const fs = require('fs');

const [certFile, keyName, engine] = process.argv.slice(2);
const options = { cert: fs.readFileSync(certFile), passphrase: process.env.KEY_PIN };
if (engine) {
  options.privateKeyEngine = engine;
  options.privateKeyIdentifier = keyName;
} else {
  options.privateKeyUri = keyName;
}

let server;
try {
  // A missing engine, token or key fails here, not at the first handshake.
  server = tls.createServer(options, (socket) => socket.end('signed by a key in its store\n'));
} catch (err) {
  console.error(`cannot use the key: ${err.message}`);
  process.exit(1);
}
server.listen(Number(process.env.PORT || 8443), () => {
  console.log(`listening on ${server.address().port}; providers: ${tls.providers().map((p) => p.name).join(', ')}`);
});
