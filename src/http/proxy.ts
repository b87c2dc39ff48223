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

function pick(env: NodeJS.ProcessEnv, names: string[]): [string, string] | undefined {
  for (const n of names) {
    const v = env[n];
    if (v) return [n, v];
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

/** Applies HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) to a target URL. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): ProxyChoice {
  const https = target.protocol === 'https:';
  const found = https ? pick(env, ['https_proxy', 'HTTPS_PROXY']) : pick(env, ['http_proxy', 'HTTP_PROXY']);
  if (!found) return {};
  const [source, url] = found;
  const noProxy = pick(env, ['no_proxy', 'NO_PROXY']);
  if (noProxy) {
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
