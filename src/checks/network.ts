import { isIP } from 'node:net';
import type { CheckApi, CheckOutcome } from './runner.js';
import type { DoctorContext } from './context.js';
import type { Failure } from '../core/types.js';
import { diagnose } from '../diagnosis/engine.js';
import { networkCodeOf, innermostMessage } from '../http/network-error.js';
import { toFailure } from '../http/failure.js';
import { nowMs } from '../core/clock.js';

function target(ctx: DoctorContext): { host: string; port: number; https: boolean } {
  const u = new URL(ctx.config.baseUrl.value!);
  const https = u.protocol === 'https:';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (https ? 443 : 80)), https };
}

function netFailure(ctx: DoctorContext, e: unknown, code?: string): Failure {
  const t = target(ctx);
  return toFailure({
    kind: 'network',
    headers: {},
    networkCode: code ?? networkCodeOf(e) ?? 'UNKNOWN',
    networkMessage: innermostMessage(e),
    host: `${t.host}:${t.port}`,
  });
}

function viaProxy(ctx: DoctorContext): CheckOutcome | undefined {
  if (!ctx.proxy.url) return undefined;
  return {
    status: 'skip',
    detail: `requests go through the proxy ${ctx.proxy.display}; the API checks below test the path your app takes`,
  };
}

/** Resolves the API host, timed. */
export async function dnsCheck(ctx: DoctorContext, api: CheckApi): Promise<CheckOutcome> {
  const skip = viaProxy(ctx);
  if (skip) return skip;
  const { host } = target(ctx);
  if (isIP(host)) return { status: 'pass', detail: `${host} is an IP address: no lookup needed`, evidence: { addresses: [host] } };
  api.waitingOn(`${host} (DNS)`);
  const { lookup } = process.getBuiltinModule('node:dns/promises');
  const t0 = nowMs();
  try {
    const addrs = await Promise.race([
      lookup(host, { all: true }),
      new Promise<never>((_, rej) =>
        api.signal.addEventListener('abort', () =>
          rej(Object.assign(new Error(`DNS lookup of ${host} took longer than the timeout`), { code: 'ETIMEDOUT' })),
        ),
      ),
    ]);
    const ms = Math.round(nowMs() - t0);
    return {
      status: 'pass',
      detail: `${host} → ${addrs
        .map((a) => a.address)
        .slice(0, 3)
        .join(', ')}`,
      evidence: { addresses: addrs.map((a) => a.address), lookupMs: ms },
    };
  } catch (e) {
    const d = diagnose(netFailure(ctx, e));
    return { status: 'fail', detail: `cannot resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? innermostMessage(e)}`, diagnosis: d };
  }
}

/** Opens a TCP connection to the API host, timed. */
export async function tcpCheck(ctx: DoctorContext, api: CheckApi): Promise<CheckOutcome> {
  const skip = viaProxy(ctx);
  if (skip) return skip;
  const { host, port } = target(ctx);
  const dns = await api.result('network.dns');
  const address = (dns.evidence?.addresses as string[] | undefined)?.[0] ?? host;
  api.waitingOn(`${host}:${port} (TCP)`);
  const net = process.getBuiltinModule('node:net');
  const t0 = nowMs();
  return new Promise<CheckOutcome>((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (o: CheckOutcome) => {
      socket.destroy();
      resolve(o);
    };
    api.signal.addEventListener('abort', () =>
      done({
        status: 'fail',
        detail: `no TCP answer from ${host}:${port} within the timeout`,
        diagnosis: diagnose(netFailure(ctx, new Error('connect timeout'), 'UND_ERR_CONNECT_TIMEOUT')),
      }),
    );
    socket.once('connect', () =>
      done({ status: 'pass', detail: `connected to ${address}:${port}`, evidence: { connectMs: Math.round(nowMs() - t0) } }),
    );
    socket.once('error', (e) =>
      done({
        status: 'fail',
        detail: `cannot connect to ${host}:${port}: ${(e as NodeJS.ErrnoException).code ?? e.message}`,
        diagnosis: diagnose(netFailure(ctx, e)),
      }),
    );
  });
}

/** Issuers that suggest a TLS-inspecting proxy or antivirus rather than a public CA. */
const INTERCEPTORS =
  /zscaler|netskope|fortinet|fortigate|palo alto|bluecoat|symantec web|sophos|kaspersky|avast|eset|mitmproxy|charles|fiddler|cisco umbrella|forcepoint|checkpoint|mcafee web/i;

/** Completes a TLS handshake with the API host: timing, certificate subject, issuer, days to expiry. */
export async function tlsCheck(ctx: DoctorContext, api: CheckApi): Promise<CheckOutcome> {
  const skip = viaProxy(ctx);
  if (skip) return skip;
  const { host, port, https } = target(ctx);
  if (!https) return { status: 'skip', detail: 'plain http: no TLS' };
  api.waitingOn(`${host}:${port} (TLS)`);
  const tls = process.getBuiltinModule('node:tls');
  const t0 = nowMs();
  return new Promise<CheckOutcome>((resolve) => {
    const socket = tls.connect({ host, port, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] });
    const done = (o: CheckOutcome) => {
      socket.destroy();
      resolve(o);
    };
    api.signal.addEventListener('abort', () =>
      done({
        status: 'fail',
        detail: `no TLS handshake with ${host} within the timeout`,
        diagnosis: diagnose(netFailure(ctx, new Error('tls timeout'), 'UND_ERR_CONNECT_TIMEOUT')),
      }),
    );
    socket.once('secureConnect', () => {
      const ms = Math.round(nowMs() - t0);
      const cert = socket.getPeerCertificate();
      const subject = cert?.subject?.CN ?? String(cert?.subject?.O ?? '?');
      const issuer = cert?.issuer?.O ?? cert?.issuer?.CN ?? '?';
      const days = cert?.valid_to ? Math.floor((Date.parse(cert.valid_to) - Date.now()) / 86_400_000) : undefined;
      const evidence = { subject, issuer, validTo: cert?.valid_to, daysToExpiry: days, protocol: socket.getProtocol(), handshakeMs: ms };
      const detail = `${socket.getProtocol() ?? 'TLS'}, ${subject} issued by ${issuer}${days !== undefined ? `, expires in ${days} days` : ''}`;
      if (INTERCEPTORS.test(String(issuer))) {
        done({ status: 'warn', detail: `${detail}: the issuer looks like a TLS-inspecting proxy`, evidence });
      } else if (days !== undefined && days < 14) {
        done({ status: 'warn', detail: `${detail}: the certificate expires soon`, evidence });
      } else done({ status: 'pass', detail, evidence });
    });
    socket.once('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      let issuer: string | undefined;
      try {
        const c = socket.getPeerCertificate();
        const i = c?.issuer?.O ?? c?.issuer?.CN;
        issuer = i === undefined ? undefined : String(i);
      } catch {
        issuer = undefined;
      }
      const d = diagnose(netFailure(ctx, e));
      if (issuer)
        d.notes.push(
          `The certificate presented was issued by "${issuer}"${INTERCEPTORS.test(issuer) ? ', which looks like a TLS-inspecting proxy' : ''}.`,
        );
      done({ status: 'fail', detail: `TLS handshake with ${host} failed: ${code ?? e.message}`, diagnosis: d, evidence: { issuer } });
    });
  });
}
