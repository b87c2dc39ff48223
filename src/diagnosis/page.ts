/** Reads HTML and plain-text bodies: what page it is, who made it (CDN, proxy), and a short excerpt. */

/** Who produced a non-API answer, from the body's signature or the headers. */
export type VendorHint =
  | 'cloudflare'
  | 'nginx'
  | 'openresty'
  | 'envoy'
  | 'vercel'
  | 'aws'
  | 'apache'
  | 'caddy'
  | 'traefik'
  | 'haproxy'
  | 'varnish'
  | 'google'
  | 'azure'
  | 'iis'
  | 'akamai'
  | 'fastly';

/** What an HTML or text page tells. */
export interface PageFacts {
  title?: string;
  heading?: string;
  excerpt?: string;
  /** The whole text of a plain-text body, whitespace collapsed (capped). */
  text?: string;
  vendorHint?: VendorHint;
  /** A CDN the answer passed through (from headers), when it is not the page's author. */
  cdn?: VendorHint;
  /** A bot check (Cloudflare "Just a moment…", cf-mitigated: challenge). */
  cdnChallenge?: boolean;
  /** A CDN firewall block page (Cloudflare "Attention Required!", error 1020 and other 1xxx). */
  cdnBlock?: boolean;
  /** The CDN's own error code from the page ("Error code 522", "error code: 524", 1020). */
  cdnErrorCode?: number;
}

/** Only the head of a page is read: enough for title, heading and footer signatures. */
const SCAN = 64 * 1024;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8}|#39);/gi, (m, name: string) => {
    const lower = name.toLowerCase();
    if (ENTITIES[lower] !== undefined) return ENTITIES[lower];
    const cp = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : lower.startsWith('#') ? parseInt(lower.slice(1), 10) : NaN;
    return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

/** Removes <script>/<style> elements and all tags, in one linear pass (no regex backtracking on hostile pages). */
function stripTags(html: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt) + ' ';
    const gt = html.indexOf('>', lt);
    if (gt === -1) break; // an unclosed tag: the rest is markup
    const raw = lower.startsWith('<script', lt) ? 'script' : lower.startsWith('<style', lt) ? 'style' : undefined;
    if (raw) {
      const close = lower.indexOf(`</${raw}`, gt);
      const end = close === -1 ? -1 : html.indexOf('>', close);
      if (end === -1) break;
      i = end + 1;
    } else {
      i = gt + 1;
    }
  }
  return out;
}

/** Visible text of an HTML fragment, whitespace collapsed. */
function visible(fragment: string, max = 200): string | undefined {
  const t = decodeEntities(stripTags(fragment)).replace(/\s+/g, ' ').trim();
  return t ? (t.length > max ? `${t.slice(0, max - 1)}…` : t) : undefined;
}

/** The text inside the first <title> or <h1> (looked for within the page head only). */
function tagText(html: string, lower: string, tag: 'title' | 'h1'): string | undefined {
  const open = lower.search(new RegExp(`<${tag}[\\s>]`));
  if (open === -1) return undefined;
  const start = html.indexOf('>', open);
  if (start === -1) return undefined;
  const close = lower.indexOf(`</${tag}`, start);
  if (close === -1 || close - start > 4000) return undefined;
  return visible(html.slice(start + 1, close));
}

/** Body signatures, checked before headers: the page's author, not just a CDN it passed through. */
const BODY_SIGNATURES: ReadonlyArray<readonly [RegExp, VendorHint]> = [
  [/_cf_chl_opt|cf-error-details|cloudflare\.com\/5xx-error-landing|\/cdn-cgi\/styles\/|Attention Required! \| Cloudflare/i, 'cloudflare'],
  [/<center>\s*openresty\b/i, 'openresty'],
  [/<center>\s*nginx\b/i, 'nginx'],
  [/upstream connect error or disconnect\/reset before headers|no healthy upstream/i, 'envoy'],
  [/An error occurred with your deployment|vercel\.com\/docs\/errors/i, 'vercel'],
  [/<address>\s*Apache/i, 'apache'],
  [/Microsoft-Azure-Application-Gateway/i, 'azure'],
  [/awselb|cloudfront/i, 'aws'],
  [/Reference\s*#\d+\.[0-9a-f]+/i, 'akamai'],
  [/Fastly error:/i, 'fastly'],
  [/Varnish cache server/i, 'varnish'],
];

/** Which server or CDN the headers name. */
export function vendorFromHeaders(headers: Record<string, string>): VendorHint | undefined {
  const server = (headers.server ?? '').toLowerCase();
  if (headers['cf-ray'] || headers['cf-mitigated'] || server.includes('cloudflare')) return 'cloudflare';
  if (headers['x-vercel-id'] || headers['x-vercel-error'] || server.includes('vercel')) return 'vercel';
  if (headers['x-amzn-requestid'] || headers['x-amz-apigw-id'] || headers['x-amz-cf-id'] || server.includes('awselb') || server.includes('cloudfront')) return 'aws';
  const byServer: ReadonlyArray<readonly [string, VendorHint]> = [
    ['openresty', 'openresty'], ['nginx', 'nginx'], ['envoy', 'envoy'], ['apache', 'apache'], ['caddy', 'caddy'],
    ['traefik', 'traefik'], ['haproxy', 'haproxy'], ['varnish', 'varnish'], ['google frontend', 'google'], ['gws', 'google'],
    ['microsoft-iis', 'iis'], ['microsoft-azure', 'azure'], ['akamai', 'akamai'],
  ];
  for (const [needle, hint] of byServer) if (server.includes(needle)) return hint;
  if (Object.keys(headers).some((h) => h.startsWith('x-envoy-'))) return 'envoy';
  if (headers['x-served-by']?.includes('cache-') || headers['fastly-debug-digest']) return 'fastly';
  return undefined;
}

/** Reads an HTML or plain-text page. */
export function readPage(body: string, format: 'html' | 'text', headers: Record<string, string>): PageFacts {
  const head = body.length > SCAN ? body.slice(0, SCAN) : body;
  const out: PageFacts = {};
  if (format === 'html') {
    const lower = head.toLowerCase();
    out.title = tagText(head, lower, 'title');
    out.heading = tagText(head, lower, 'h1');
    out.excerpt = out.title ?? out.heading ?? visible(head);
  } else {
    const collapsed = head.replace(/\s+/g, ' ').trim();
    out.text = collapsed.length > 1000 ? `${collapsed.slice(0, 999)}…` : collapsed || undefined;
    const firstLine = head.split(/\r?\n/).find((l) => l.trim())?.trim();
    out.excerpt = firstLine ? (firstLine.length > 200 ? `${firstLine.slice(0, 199)}…` : firstLine) : undefined;
  }
  const byBody = BODY_SIGNATURES.find(([re]) => re.test(head))?.[1];
  const byHeaders = vendorFromHeaders(headers);
  out.vendorHint = byBody ?? byHeaders;
  if (byHeaders && byBody && byHeaders !== byBody) out.cdn = byHeaders;
  const cloudflare = out.vendorHint === 'cloudflare' || out.cdn === 'cloudflare';
  out.cdnChallenge =
    (headers['cf-mitigated'] ?? '').toLowerCase() === 'challenge' ||
    /^just a moment/i.test(out.title ?? '') ||
    /_cf_chl_opt|id="challenge-error-text"/.test(head) ||
    undefined;
  if (cloudflare) {
    const code = /error code:?\s*(\d{3,4})\b/i.exec(head) ?? /\|\s*(\d{3,4}):/.exec(out.title ?? '');
    if (code?.[1]) out.cdnErrorCode = Number(code[1]);
    if (/Attention Required!/i.test(out.title ?? '') || (out.cdnErrorCode !== undefined && out.cdnErrorCode >= 1000)) out.cdnBlock = true;
  }
  return out;
}
