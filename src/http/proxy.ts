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

/** Masks the password of a proxy URL. */
export function displayProxy(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '****';
    return u.toString().replace(/\/$/, '');
  } catch {
    return raw.replace(/\/\/[^@/]*@/, '//****@');
  }
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
    const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const port = target.port || (https ? '443' : '80');
    for (const raw of noProxy[1].split(/[,\s]+/).filter(Boolean)) {
      if (raw === '*') return { excludedBy: `${noProxy[0]}=* excludes every host` };
      const m = /^(.*?)(?::(\d+))?$/.exec(raw.toLowerCase())!;
      const entry = (m[1] ?? '').replace(/^\*?\./, '.');
      if (m[2] && m[2] !== port) continue;
      const bare = entry.replace(/^\./, '');
      if (host === bare || host.endsWith('.' + bare)) return { excludedBy: `${noProxy[0]} entry "${raw}" excludes ${host}` };
    }
  }
  return { url, display: displayProxy(url), source };
}
