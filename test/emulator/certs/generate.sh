#!/usr/bin/env bash
# Regenerates the throwaway TLS files the emulator serves (OpenSSL 3). Not secrets: test-only.
#   localhost.crt/.key  self-signed, CN=localhost, SAN localhost + 127.0.0.1 + ::1, valid 2025-01-01 .. 2045-01-01
#   expired.crt/.key    same names, valid 2020-01-01 .. 2021-01-01 (to test CERT_HAS_EXPIRED)
set -euo pipefail
cd "$(dirname "$0")"
SAN="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
# openssl 3.0 'req -x509' cannot set explicit dates, so both are signed with 'openssl ca -selfsign'.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
touch "$tmp/index.txt"; echo 01 > "$tmp/serial"
cat > "$tmp/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
dir = $tmp
database = $tmp/index.txt
serial = $tmp/serial
new_certs_dir = $tmp
default_md = sha256
policy = p
copy_extensions = copy
[p]
commonName = supplied
organizationName = optional
CNF
sign() { # name subject startdate enddate
  openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$tmp/$1.csr" -subj "$2" -addext "$SAN"
  openssl ca -batch -config "$tmp/ca.cnf" -selfsign -keyfile "$1.key" -in "$tmp/$1.csr" \
    -startdate "$3" -enddate "$4" -out "$1.crt" -notext
}
sign localhost "/CN=localhost/O=apidoctor test emulator" 20250101000000Z 20450101000000Z
sign expired "/CN=localhost/O=apidoctor test emulator (expired)" 20200101000000Z 20210101000000Z
