/** The committed throwaway TLS material (see certs/generate.sh). */
import { readFileSync } from 'node:fs';

const read = (name: string): string => readFileSync(new URL(`./certs/${name}`, import.meta.url), 'utf8');

/** Self-signed certificate for CN=localhost, SAN localhost/127.0.0.1/::1, valid 2025-01-01 … 2045-01-01. Trust it with `ca: TLS_CERT`. */
export const TLS_CERT: string = read('localhost.crt');
/** Private key of TLS_CERT. */
export const TLS_KEY: string = read('localhost.key');
/** Same names, expired (valid 2020-01-01 … 2021-01-01): served with `tls: 'expired'`. */
export const TLS_EXPIRED_CERT: string = read('expired.crt');
/** Private key of TLS_EXPIRED_CERT. */
export const TLS_EXPIRED_KEY: string = read('expired.key');
