/** Which proxy a request to `target` uses (HTTPS_PROXY, HTTP_PROXY, NO_PROXY): the client routes by it and doctor reports it. */
export interface ProxyChoice {
  /** The proxy URL, when one applies. */
  url?: string;
  /** The proxy URL with any credentials masked. */
  display?: string;
  /** The variable it came from. */
  source?: string;
  /** Why no proxy applies although one is set ("NO_PROXY=.internal excludes modelswitch.io"). */
  excludedBy?: string;
  /** Why the proxy URL that applies cannot carry a request ("it has no scheme"). */
  problem?: string;
}

/**
 * The first of `names` that is set, as undici's EnvHttpProxyAgent reads them: lower case first, and a
 * variable set to "" still counts (it turns the proxy off).
 */
function pick(env: NodeJS.ProcessEnv, names: string[]): [string, string] | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined) return [n, v];
  }
  return undefined;
}

/** A URL that starts with a scheme and "//" ("http://"); "user:pass@host:3128" does not. */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A proxy URL fit to print: a password masked, and a user name alone too (often a token). Without a
 * scheme ("user:secret@proxy:3128") URL would read "user:" as the scheme, so mask all before the @.
 */
export function displayProxy(raw: string): string {
  if (!HAS_SCHEME.test(raw)) return raw.replace(/^[^/]*@/, '****@');
  try {
    const u = new URL(raw);
    if (u.password) u.password = '****';
    else if (u.username) u.username = '****';
    return u.toString().replace(/\/$/, '');
  } catch {
    return raw.replace(/\/\/[^/]*@/, '//****@');
  }
}

/** Why a proxy URL cannot carry a request (it must be http:// or https://), or undefined. */
function proxyUrlProblem(raw: string): string | undefined {
  let protocol: string;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    return 'it is not a URL';
  }
  if (!HAS_SCHEME.test(raw)) return 'it has no scheme';
  return protocol === 'http:' || protocol === 'https:' ? undefined : `${protocol.slice(0, -1)} proxies are not supported`;
}

/** A host as URL writes it: lower case, IPv6 without brackets and in its shortest form. */
function canonicalHost(host: string): string {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (!h.includes(':')) return h;
  try {
    return new URL(`http://[${h}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return h;
  }
}

/** A NO_PROXY entry as host and port: "[::1]:8080", "[::1]" and "::1" (no port: a bare IPv6 address), "example.com:443", ".example.com". */
function noProxyEntry(raw: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(raw);
  if (bracketed) return { host: canonicalHost(bracketed[1]!), port: bracketed[2] };
  if ((raw.match(/:/g) ?? []).length > 1) return { host: canonicalHost(raw) };
  const m = /^(.*?)(?::(\d+))?$/.exec(raw)!;
  return { host: (m[1] ?? '').toLowerCase(), port: m[2] };
}

/**
 * Applies HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) to a target URL, as undici's
 * EnvHttpProxyAgent (and so Node's own fetch) does: an https target without an HTTPS proxy uses the
 * HTTP proxy, and NO_PROXY lists hosts (a leading dot or *. for subdomains, :port to narrow) or *.
 */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): ProxyChoice {
  const https = target.protocol === 'https:';
  const httpProxy = pick(env, ['http_proxy', 'HTTP_PROXY']);
  const httpsProxy = pick(env, ['https_proxy', 'HTTPS_PROXY']);
  const found = https && httpsProxy?.[1] ? httpsProxy : httpProxy;
  if (!found?.[1]) return {};
  const [source, url] = found;
  const noProxy = pick(env, ['no_proxy', 'NO_PROXY']);
  if (noProxy?.[1]) {
    const host = canonicalHost(target.hostname);
    const port = target.port || (https ? '443' : '80');
    for (const raw of noProxy[1].split(/[,\s]+/).filter(Boolean)) {
      if (raw === '*') return { excludedBy: `${noProxy[0]}=* excludes every host` };
      const entry = noProxyEntry(raw);
      if (entry.port && entry.port !== port) continue;
      const bare = entry.host.replace(/^\*?\./, '');
      if (host === bare || (!host.includes(':') && host.endsWith('.' + bare)))
        return { excludedBy: `${noProxy[0]} entry "${raw}" excludes ${host}` };
    }
  }
  return { url, display: displayProxy(url), source, problem: proxyUrlProblem(url) };
}
