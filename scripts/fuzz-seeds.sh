#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets into test/fuzz/corpus/ (generated,
# never committed: they are certificates, keys and handshakes made from the test
# fixtures). x509 and context_loading here: certificates and the CRL from the
# fixtures (made first if missing), keys and PKCS#12 files made fresh; the tls_*
# seeds by scripts/fuzz-tls-seeds.js (needs dist/ and the addon). scripts/fuzz.sh
# and test/setup.ts run it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fx=$root/test/fixtures/generated
out=$root/test/fuzz/corpus
[ -f "$fx/ca.pem" ] || bash "$root/test/fixtures/make-certs.sh"
tmp=$(mktemp -d); cd "$tmp"
rm -rf "$out/x509" "$out/context_loading"; mkdir -p "$out/x509" "$out/context_loading"
X=$out/x509 C=$out/context_loading

# ---- x509: DER and PEM
for n in ca inter server-rsa server-ec client-ec expired revoked selfsigned-ec server-inter; do
  openssl x509 -in "$fx/$n.pem" -outform DER -out "$X/$n.der"
done
cp "$fx/server-inter-chain.pem" "$X/server-inter-chain.pem"
cp "$fx/selfsigned-ec.pem" "$X/selfsigned-ec.pem"
openssl x509 -in "$fx/server-ec.pem" -trustout -addtrust serverAuth -addreject clientAuth -setalias seed -out "$X/trusted-server-ec.pem"

cat > rich.cnf <<'CNF'
[req]
distinguished_name=dn
prompt=no
string_mask=utf8only
[dn]
C=DE
O=seed
1.OU=one
2.OU=two
CN=rich, "quoted" \u00e9
1.2.3.4.5=unknown attribute
[ext]
basicConstraints=critical,CA:TRUE,pathlen:1
keyUsage=critical,digitalSignature,keyCertSign
extendedKeyUsage=serverAuth,clientAuth,1.2.3.4.99
subjectAltName=@alt
authorityInfoAccess=OCSP;URI:http://ocsp.example/,caIssuers;URI:http://ca.example/ca.der,caIssuers;URI:http://b.example/,1.2.3.4;email:x@example
[alt]
DNS.1=a.example
DNS.2=*.b.example
DNS.3=quote,comma.example
email.1=someone@example
URI.1=https://example/path?a=1
IP.1=192.0.2.1
IP.2=2001:db8::1
RID.1=1.2.3.4.5.6
dirName.1=dir
otherName.1=1.3.6.1.4.1.311.20.2.3;UTF8:upn@example
otherName.2=1.3.6.1.5.5.7.8.5;UTF8:xmpp@example
otherName.3=1.3.6.1.5.5.7.8.7;IA5STRING:_sip.example
otherName.4=1.2.3.4;UTF8:unknown
[dir]
C=US
O=dir org
CN=dir\, name
CNF
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout rich-key.pem \
  -config rich.cnf -extensions ext -days 30 -out rich.pem 2>/dev/null
openssl x509 -in rich.pem -outform DER -out "$X/rich.der"
# Key types Node's object treats differently: RSA-PSS, Ed25519, EC with explicit parameters.
openssl req -x509 -new -newkey rsa-pss -pkeyopt rsa_keygen_bits:1024 -nodes -keyout /dev/null \
  -subj "/CN=pss" -days 30 -outform DER -out "$X/rsa-pss.der" 2>/dev/null
openssl req -x509 -new -newkey ed25519 -nodes -keyout /dev/null -subj "/CN=ed25519" -days 30 \
  -outform DER -out "$X/ed25519.der" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:explicit -out explicit-key.pem 2>/dev/null
openssl req -x509 -new -key explicit-key.pem -subj "/CN=explicit" -days 30 -outform DER -out "$X/ec-explicit.der" 2>/dev/null

# ---- context_loading: selector byte + payload (format: native/fuzz/fuzz_context_loading.cc)
op() { printf "\\x$(printf %02x "$1")"; }
pass() { if [ "$1" = none ]; then printf '\xff'; else printf "\\x$(printf %02x ${#1})%s" "$1"; fi; }
u16() { printf "\\x$(printf %02x $(($1 >> 8)))\\x$(printf %02x $(($1 & 255)))"; }

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec-key.pem 2>/dev/null
openssl req -x509 -new -key ec-key.pem -subj "/CN=seed ec" -days 30 -out ec.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec-key2.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa-key.pem 2>/dev/null
openssl req -x509 -new -key rsa-key.pem -subj "/CN=seed rsa" -days 30 -out rsa.pem 2>/dev/null
openssl pkey -in ec-key.pem -aes256 -passout pass:secret -out ec-key-enc.pem
openssl pkey -in ec-key.pem -traditional -aes128 -passout pass:secret -out ec-key-enc-traditional.pem
openssl genpkey -algorithm ed25519 -out ed-key.pem 2>/dev/null

{ op 0; cat ec.pem; } > "$C/cert-ec"
{ op 0; cat "$fx/server-inter-chain.pem"; } > "$C/cert-chain"
{ op 0; cat "$X/trusted-server-ec.pem"; } > "$C/cert-trusted"
{ op 1; pass none; cat ec-key.pem; } > "$C/key-ec"
{ op 1; pass none; cat rsa-key.pem; } > "$C/key-rsa"
{ op 1; pass none; cat ed-key.pem; } > "$C/key-ed25519"
{ op 1; pass secret; cat ec-key-enc.pem; } > "$C/key-ec-pkcs8-encrypted"
{ op 1; pass secret; cat ec-key-enc-traditional.pem; } > "$C/key-ec-traditional-encrypted"
{ op 1; pass wrong; cat ec-key-enc.pem; } > "$C/key-wrong-passphrase"
{ op 2; cat "$fx/ca.pem" "$fx/inter.pem"; } > "$C/ca-two"
{ op 2; cat "$X/trusted-server-ec.pem"; } > "$C/ca-trusted"
{ op 3; cat "$fx/crl.pem"; } > "$C/crl"
openssl pkcs12 -export -in ec.pem -inkey ec-key.pem -certfile "$fx/ca.pem" -passout pass:pw -iter 16 -out p-pw.pfx
openssl pkcs12 -export -in ec.pem -inkey ec-key.pem -passout pass: -iter 16 -out p-empty.pfx
openssl pkcs12 -export -in rsa.pem -inkey rsa-key.pem -passout pass:pw -out p-default-iter.pfx
openssl pkcs12 -export -in ec.pem -inkey ec-key.pem -passout pass:pw -nomac -iter 16 -out p-nomac.pfx
openssl pkcs12 -export -nokeys -in ec.pem -passout pass:pw -iter 16 -out p-nokey.pfx
{ op 4; pass pw; cat p-pw.pfx; } > "$C/pfx-with-ca"
{ op 4; pass none; cat p-empty.pfx; } > "$C/pfx-no-password"
{ op 4; pass ""; cat p-empty.pfx; } > "$C/pfx-empty-password"
{ op 4; pass pw; cat p-default-iter.pfx; } > "$C/pfx-rsa"
{ op 4; pass pw; cat p-nomac.pfx; } > "$C/pfx-no-mac"
{ op 4; pass pw; cat p-nokey.pfx; } > "$C/pfx-no-key"
n=$(wc -c < ec.pem)
{ op 5; u16 "$n"; cat ec.pem; pass none; cat ec-key.pem; } > "$C/cert-key-match"
{ op 5; u16 "$n"; cat ec.pem; pass none; cat ec-key2.pem; } > "$C/cert-key-mismatch"
{ op 5; u16 "$n"; cat ec.pem; pass none; cat rsa-key.pem; } > "$C/cert-key-other-type"
{ op 6; cat "$fx/dh2048.pem"; } > "$C/dhparam-2048"
{ op 6; cat "$fx/dh512.pem"; } > "$C/dhparam-512"
cd /; rm -rf "$tmp"
node "$root/scripts/fuzz-tls-seeds.js"
