/** The base URL, normalised to the API root, or why it cannot be used. */
export type BaseUrlResult = { ok: true; url: string; note?: string; warnings: string[] } | { ok: false; problem: string };

const LEGACY_HOSTS = new Set(['api.modelswitch.ru']);
const OTHER_PRODUCT_HOSTS = /(^|\.)modelswitchai\.tech$/;

/** True for hosts on this machine, where plain http is safe. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Normalises a base URL to the API root: strips a trailing `/`, `/v1` or `/api` (and says so once),
 * rejects what is not an http(s) URL or carries credentials, and warns about legacy hosts and clear-text http.
 */
export function normaliseBaseUrl(raw: string): BaseUrlResult {
  const input = raw.trim();
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    return { ok: false, problem: `"${input}" is not a URL (expected something like https://modelswitch.io)` };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    return { ok: false, problem: `the scheme "${u.protocol}" is not http or https` };
  }
  if (u.username || u.password) {
    return {
      ok: false,
      problem: 'the URL carries a user name or password; put keys in MODELSWITCH_API_KEY / MODELSWITCH_BILLING_KEY instead',
    };
  }
  if (u.search || u.hash) {
    return { ok: false, problem: 'the URL has a query string or fragment; give only the root, such as https://modelswitch.io' };
  }
  const warnings: string[] = [];
  let path = u.pathname.replace(/\/+$/, '');
  let stripped = '';
  for (;;) {
    const m = /\/(v1|api)$/.exec(path);
    if (!m) break;
    stripped = m[0] + stripped;
    path = path.slice(0, -m[0].length);
  }
  const url = `${u.protocol}//${u.host}${path}`;
  const removed = stripped || (u.pathname.endsWith('/') && u.pathname !== '/' ? '/' : '');
  const note = removed ? `base URL: removed the trailing "${removed}" (apidoctor appends /v1 and /api itself)` : undefined;
  if (LEGACY_HOSTS.has(u.hostname))
    warnings.push(`${u.hostname} is a legacy host from an old blog post; the documented base URL is https://modelswitch.io`);
  if (OTHER_PRODUCT_HOSTS.test(u.hostname))
    warnings.push(`${u.hostname} belongs to a different product named ModelSwitch; this tool is for modelswitch.io`);
  if (u.protocol === 'http:' && !isLoopback(u.hostname))
    warnings.push(`plain http:// to ${u.hostname}: keys would travel in clear text; use https://`);
  return { ok: true, url, note, warnings };
}
