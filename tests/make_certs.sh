#!/bin/sh
# Test certificates for sio's TLS integration tests (tests/integration_tls.py).
#
#   tests/make_certs.sh DIR
#
# Uses only the `openssl` command line (written against OpenSSL 3.0).  Creates in DIR:
#   ca.pem / ca.key             test CA (RSA 2048, basicConstraints CA:true)
#   server.pem / server.key     leaf signed by the CA; SAN DNS:localhost, IP:127.0.0.1,
#                               DNS:127.0.0.1; keyUsage + extendedKeyUsage serverAuth
#   server_chain.pem            server.pem followed by ca.pem
#   server_ec.pem / .key        same as server, P-256 (ECDSA) key
#   wrongname.pem / .key        signed by the CA, SAN DNS:other.example only
#   expired.pem / .key          signed by the CA, valid 2020-01-01 .. 2021-01-01 (all past)
#   other_ca.pem / other_ca.key an unrelated second CA
#   untrusted.pem / .key        signed by other_ca, SAN as server (so only the CA is wrong)
#   untrusted_chain.pem         untrusted.pem followed by other_ca.pem (the untrusted root sent)
#   emailonly.pem / .key        as server, but extendedKeyUsage emailProtection only
#   kuencipher.pem / .key       as server, but keyUsage keyEncipherment only (cannot sign ECDHE)
#   kunonrep.pem / .key         as server, but keyUsage nonRepudiation only (BearSSL calls that signing)
#   kucertsign.pem / .key       as server, but keyUsage keyCertSign only
#   untrustednoip.pem / .key    signed by other_ca, SAN DNS:localhost only (no IP SAN either)
#   ipsan.pem / .key            signed by the CA, SAN IP:127.0.0.1 and IP:::1 only
#   wildcard.pem / .key         signed by the CA, SAN DNS:*.sio.test only
#   client.pem / client.key     signed by the CA, extendedKeyUsage clientAuth
#   client_chain.pem            client.pem followed by ca.pem
#   client_pkcs8.key            client.key's key in PKCS#8
#   client_ec.pem / .key        same as client, P-256 key, key in PKCS#8
#   client_ec_sec1.key          client_ec.key's key in SEC1
#   client_untrusted.pem / .key client certificate signed by other_ca
#   both_cas.pem                ca.pem + other_ca.pem (a multi-certificate --cafile)
# Private keys: RSA keys in PKCS#8 ("BEGIN PRIVATE KEY", openssl 3 default) except
# client.key, which is written as traditional PKCS#1 ("BEGIN RSA PRIVATE KEY"), and
# server_ec.key, which is SEC1 ("BEGIN EC PRIVATE KEY").
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
DIR=$1
mkdir -p "$DIR"
cd "$DIR"
umask 077

OPENSSL=${OPENSSL:-openssl}
SUBJ_PREFIX="/O=sio tests"

rsa_key() {   # rsa_key FILE
    "$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
}

ec_key() {    # ec_key FILE  (PKCS#8)
    "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -pkeyopt ec_param_enc:named_curve -out "$1" 2>/dev/null
}

make_ca() {   # make_ca NAME CN
    rsa_key "$1.key"
    cat > "$1.ext" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
    "$OPENSSL" req -new -x509 -key "$1.key" -out "$1.pem" -days 3650 -sha256 \
        -subj "$SUBJ_PREFIX/CN=$2" -config "$1.ext" -extensions v3_ca
    rm -f "$1.ext"
}

SERIAL=4096
# sign NAME CA CN EXTLINES [extra x509 args]: CSR from NAME.key, certificate NAME.pem
sign() {
    name=$1 ca=$2 cn=$3 ext=$4
    shift 4
    SERIAL=$((SERIAL + 1))
    printf '%s\n' "[v3]" "basicConstraints = critical, CA:false" \
        "subjectKeyIdentifier = hash" "authorityKeyIdentifier = keyid" "$ext" > "$name.ext"
    "$OPENSSL" req -new -key "$name.key" -subj "$SUBJ_PREFIX/CN=$cn" -out "$name.csr"
    "$OPENSSL" x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" \
        -set_serial "$SERIAL" -days 825 -sha256 -extfile "$name.ext" -extensions v3 \
        -out "$name.pem" "$@" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}

SERVER_EXT='subjectAltName = DNS:localhost, IP:127.0.0.1, DNS:127.0.0.1
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth'

make_ca ca "sio test CA"
make_ca other_ca "sio unrelated CA"

rsa_key server.key
sign server ca localhost "$SERVER_EXT"
cat server.pem ca.pem > server_chain.pem

# SEC1 EC key for the EC server certificate (exercises the "EC PRIVATE KEY" form too)
ec_key server_ec.p8
"$OPENSSL" ec -in server_ec.p8 -out server_ec.key 2>/dev/null
rm -f server_ec.p8
sign server_ec ca localhost 'subjectAltName = DNS:localhost, IP:127.0.0.1, DNS:127.0.0.1
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth'

rsa_key wrongname.key
sign wrongname ca other.example 'subjectAltName = DNS:other.example
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth'

rsa_key untrusted.key
sign untrusted other_ca localhost "$SERVER_EXT"

# Right CA and name, but an Extended Key Usage for e-mail only (not a TLS server)
rsa_key emailonly.key
sign emailonly ca localhost 'subjectAltName = DNS:localhost, IP:127.0.0.1, DNS:127.0.0.1
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = emailProtection'

# Right CA, name and serverAuth, but a Key Usage without digitalSignature (static RSA only)
rsa_key kuencipher.key
sign kuencipher ca localhost 'subjectAltName = DNS:localhost, IP:127.0.0.1, DNS:127.0.0.1
keyUsage = critical, keyEncipherment
extendedKeyUsage = serverAuth'

rsa_key kunonrep.key
sign kunonrep ca localhost 'subjectAltName = DNS:localhost, IP:127.0.0.1, DNS:127.0.0.1
keyUsage = critical, nonRepudiation
extendedKeyUsage = serverAuth'

rsa_key kucertsign.key
sign kucertsign ca localhost 'subjectAltName = DNS:localhost, IP:127.0.0.1, DNS:127.0.0.1
keyUsage = critical, keyCertSign
extendedKeyUsage = serverAuth'

# Two faults: an unknown CA and, reached by address, no IP SAN (the chain's is said first)
rsa_key untrustednoip.key
sign untrustednoip other_ca localhost 'subjectAltName = DNS:localhost
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth'

# For hosts given as addresses: IP address SANs only (no DNS name equal to the address)
rsa_key ipsan.key
sign ipsan ca "127.0.0.1" 'subjectAltName = IP:127.0.0.1, IP:::1
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth'

# A wildcard name only (RFC 6125: one whole leftmost label)
rsa_key wildcard.key
sign wildcard ca "*.sio.test" 'subjectAltName = DNS:*.sio.test
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth'

# Expired: `openssl x509 -req` cannot back-date, so use a throwaway `openssl ca`
# database with explicit -startdate/-enddate.
rsa_key expired.key
mkdir -p ca_db
: > ca_db/index.txt
echo 2001 > ca_db/serial
cat > ca_db/ca.cnf <<EOF
[ca]
default_ca = testca
[testca]
dir = ca_db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
x509_extensions = v3
[anything]
organizationName = optional
commonName = supplied
[v3]
basicConstraints = critical, CA:false
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
$SERVER_EXT
EOF
"$OPENSSL" req -new -key expired.key -subj "$SUBJ_PREFIX/CN=localhost" -out expired.csr
"$OPENSSL" ca -batch -config ca_db/ca.cnf -cert ca.pem -keyfile ca.key -notext \
    -startdate 20200101000000Z -enddate 20210101000000Z \
    -in expired.csr -out expired.pem 2>/dev/null
rm -rf ca_db expired.csr

# Client certificates for mutual TLS
rsa_key client_pkcs8.key
"$OPENSSL" rsa -in client_pkcs8.key -traditional -out client.key 2>/dev/null
CLIENT_EXT='keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth'
sign client ca "sio test client" "$CLIENT_EXT"
ec_key client_ec.key
sign client_ec ca "sio test client ec" 'keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth'
"$OPENSSL" ec -in client_ec.key -out client_ec_sec1.key 2>/dev/null
# A client certificate from the unrelated CA (the mTLS server must refuse it)
rsa_key client_untrusted.key
sign client_untrusted other_ca "sio untrusted client" "$CLIENT_EXT"

cat ca.pem other_ca.pem > both_cas.pem
cat client.pem ca.pem > client_chain.pem
cat untrusted.pem other_ca.pem > untrusted_chain.pem
chmod 644 ./*.pem
chmod 600 ./*.key

# Sanity checks (fail loudly rather than produce a wrong set)
"$OPENSSL" verify -CAfile ca.pem server.pem server_ec.pem wrongname.pem client.pem client_ec.pem ipsan.pem >/dev/null
"$OPENSSL" verify -CAfile other_ca.pem untrusted.pem client_untrusted.pem >/dev/null
if "$OPENSSL" x509 -in expired.pem -noout -checkend 0 >/dev/null; then
    echo "make_certs.sh: expired.pem is not expired" >&2
    exit 1
fi
