/** Which key failed, and what to say about it: advice names the key (its setting, dashboard page, variable). */

/** What to say about a key, by the setting it came from. */
export interface KeyAdvice {
  kind: string;
  bearer: string;
  variable: string;
  page: string;
  check: string;
  create: string;
  /** The export line that sets it. */
  exportLine: string;
}

const KEY_ADVICE: Record<'apiKey' | 'billingKey' | 'unknown', KeyAdvice> = {
  apiKey: {
    kind: 'proxy key (ms-…)',
    bearer: 'ms-…',
    variable: 'MODELSWITCH_API_KEY',
    page: 'Dashboard → API Keys',
    check: 'Dashboard → API Keys, or apidoctor keys',
    create: 'create a new proxy key in Dashboard → API Keys (or: apidoctor keys create --name <name>)',
    exportLine: "export MODELSWITCH_API_KEY='ms-…'",
  },
  billingKey: {
    kind: 'billing key (mk-…)',
    bearer: 'mk-…',
    variable: 'MODELSWITCH_BILLING_KEY',
    page: 'Dashboard → Billing Keys',
    check: 'Dashboard → Billing Keys',
    create: 'create a new billing key in Dashboard → Billing Keys (apidoctor keys create cannot: it needs a working billing key)',
    exportLine: "export MODELSWITCH_BILLING_KEY='mk-…'",
  },
  unknown: {
    kind: 'key',
    bearer: 'ms-… (or mk-… on /api)',
    variable: 'MODELSWITCH_API_KEY (proxy key) or MODELSWITCH_BILLING_KEY (billing key)',
    page: 'Dashboard → API Keys (proxy keys) or Dashboard → Billing Keys (billing keys)',
    check: 'Dashboard → API Keys (proxy keys, or apidoctor keys) or Dashboard → Billing Keys (billing keys)',
    create: 'create a new one in Dashboard → API Keys (proxy, ms-) or Dashboard → Billing Keys (billing, mk-)',
    exportLine: "export MODELSWITCH_API_KEY='ms-…' (proxy key) or export MODELSWITCH_BILLING_KEY='mk-…' (billing key)",
  },
};

/** Which key failed: the setting it came from, else its shape, else the path it went to (/api takes billing keys). */
export function keyRoleOf(
  ctx: { keyRole?: 'apiKey' | 'billingKey'; keyKind?: string },
  endpoint?: string,
): 'apiKey' | 'billingKey' | undefined {
  if (ctx.keyRole) return ctx.keyRole;
  if (ctx.keyKind === 'billing') return 'billingKey';
  if (ctx.keyKind === 'proxy') return 'apiKey';
  if (endpoint && /^\/api(\/|\?|$)/.test(endpoint)) return 'billingKey';
  if (endpoint && /^\/v1(\/|\?|$)/.test(endpoint)) return 'apiKey';
  return undefined;
}

/** The advice for the key that failed (which setting, page, variable). */
export function keyAdvice(ctx: { keyRole?: 'apiKey' | 'billingKey'; keyKind?: string }, endpoint?: string): KeyAdvice {
  return KEY_ADVICE[keyRoleOf(ctx, endpoint) ?? 'unknown'];
}

/** Fills <key-kind>, <key-bearer>, <key-var>, <key-page>, <key-check>, <key-create>, <key-export> with the failed key's advice. */
export function fillKeyAdvice(text: string, a: KeyAdvice): string {
  if (!text.includes('<key-')) return text;
  return text
    .replaceAll('<key-kind>', a.kind)
    .replaceAll('<key-bearer>', a.bearer)
    .replaceAll('<key-var>', a.variable)
    .replaceAll('<key-page>', a.page)
    .replaceAll('<key-check>', a.check)
    .replaceAll('<key-create>', a.create)
    .replaceAll('<key-export>', a.exportLine);
}
