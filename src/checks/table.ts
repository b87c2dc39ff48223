import type { CheckDef } from './runner.js';
import type { DoctorContext } from './context.js';
import { configSources, baseUrlShape, hostScope, transport, proxyKey, billingKey, keyInGit, keyFileMode, proxySettings } from './local.js';
import { dnsCheck, tcpCheck, tlsCheck } from './network.js';
import { proxyKeyCheck, billingKeyCheck, balanceCheck, keyRecordCheck } from './api.js';
import { modelCheck, liveCheck } from './model.js';

/** The API checks run alongside these and are reported as blocked when one fails. */
const NETWORK = ['network.dns', 'network.tcp', 'network.tls'];

/**
 * The doctor's checks, in dependency order (which is also the order root causes are ranked in:
 * configuration → keys → network → auth → balance → model). Ids are stable: scripts use them.
 */
export const CHECKS: readonly CheckDef<DoctorContext>[] = [
  { id: 'config.sources', title: 'Configuration', needs: [], requires: 'nothing', run: configSources },
  { id: 'config.base-url', title: 'Base URL', needs: [], requires: 'nothing', run: baseUrlShape },
  { id: 'config.host-scope', title: 'Keys scoped to the base URL', needs: [], requires: 'nothing', run: hostScope },
  { id: 'config.transport', title: 'Transport security', needs: ['config.base-url'], requires: 'a base URL', run: transport },
  { id: 'key.proxy', title: 'Proxy key', needs: [], requires: 'nothing', run: proxyKey },
  { id: 'key.billing', title: 'Billing key', needs: [], requires: 'nothing', run: billingKey },
  { id: 'key.in-git', title: 'Keys kept out of git', needs: [], requires: 'nothing', run: keyInGit },
  { id: 'key.file-mode', title: 'Config file readable only by you', needs: [], requires: 'nothing', run: keyFileMode },
  { id: 'network.proxy', title: 'HTTP proxy', needs: ['config.base-url'], requires: 'a base URL', run: proxySettings },
  { id: 'network.dns', title: 'DNS lookup', needs: ['config.base-url', 'config.host-scope'], requires: 'network', run: dnsCheck },
  { id: 'network.tcp', title: 'TCP connect', needs: ['network.dns'], requires: 'network', run: tcpCheck },
  { id: 'network.tls', title: 'TLS handshake', needs: ['network.tcp'], requires: 'network', run: tlsCheck },
  {
    id: 'api.proxy-key',
    title: 'Proxy key accepted (GET /v1/models)',
    needs: ['key.proxy', 'config.transport', 'config.host-scope'],
    after: NETWORK,
    requires: 'proxy key, network',
    run: proxyKeyCheck,
  },
  {
    id: 'api.billing-key',
    title: 'Billing key accepted (GET /api/keys)',
    needs: ['key.billing', 'config.transport', 'config.host-scope'],
    after: NETWORK,
    requires: 'billing key, network',
    run: billingKeyCheck,
  },
  {
    id: 'api.balance',
    title: 'Balance (GET /api/balance)',
    needs: ['key.billing', 'config.transport', 'config.host-scope'],
    after: NETWORK,
    requires: 'billing key, network',
    run: balanceCheck,
  },
  {
    id: 'api.key-record',
    title: "Proxy key's record (active, expiry)",
    needs: ['key.proxy', 'api.billing-key'],
    requires: 'both keys, network',
    run: keyRecordCheck,
  },
  { id: 'api.model', title: 'Model available', needs: ['api.proxy-key'], requires: 'proxy key, network, --model', run: modelCheck },
  {
    id: 'api.live',
    title: 'Live completion (--live)',
    needs: ['api.proxy-key'],
    byDefault: false,
    requires: 'proxy key, network, --live (costs money)',
    run: liveCheck,
  },
];
