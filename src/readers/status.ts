/**
 * The HTTP status wherever a client writes it in an error text. Each form names the clients it was
 * seen from; the first form (in this order) that matches wins, and its first match in the text.
 */

export interface StatusHit {
  status: number;
  /** The text it was read from, for the user ("Error code: 429"). */
  from: string;
  /** Where in the text. */
  index: number;
}

const REASONS =
  'Too Many Requests|Unauthori[sz]ed|Forbidden|Not Found|Payment Required|Bad Request|Internal Server Error|Bad Gateway|Service Unavailable|Service Temporarily Unavailable|Gateway Time-?out|Request Time-?out|Conflict|Unprocessable (?:Entity|Content)|Request Entity Too Large|Payload Too Large|Method Not Allowed|Precondition Failed|Proxy Authentication Required|Not Implemented|Upstream Error|Site is overloaded|Overloaded';

/** Three digits that are an error-ish HTTP status: 4xx or 5xx (a 3xx/2xx only where the form is explicit). */
const S = '([1-5]\\d\\d)';
const E = '([45]\\d\\d)';

const FORMS: ReadonlyArray<{ re: RegExp; any?: boolean }> = [
  // openai / anthropic Python (and LiteLLM, LangChain, which wrap them): "Error code: 429 - {…}"
  { re: new RegExp(`\\bError code:\\s*${S}\\b`), any: true },
  // a status line quoted in a log: "HTTP/1.1 429 Too Many Requests" (httpx, curl, urllib3 debug)
  { re: new RegExp(`\\bHTTP/\\d(?:\\.\\d)?"?\\s+${S}\\b`), any: true },
  // requests: "402 Client Error: Payment Required for url:"; httpx: "Client error '401 Unauthorized' for url"
  { re: new RegExp(`\\b${E} (?:Client|Server) Error\\b`, 'i') },
  { re: new RegExp(`\\b(?:Client|Server) error '${E}\\b`, 'i') },
  // axios "Request failed with status code 402"; Go "status code: 429"; .NET "Response status code does not indicate success: 429";
  // "statusCode: 401", "status_code=429", "Status: 429 (Too Many Requests)", "status 429", "HTTP status 503"
  {
    re: new RegExp(
      `\\b(?:status[ _-]?code|statusCode|http[ _-]?status(?:[ _-]?code)?|status)["']?\\s*(?:[:=]|is|of|was|does not indicate success:)?\\s*["']?${S}\\b(?![.:/]\\d)`,
      'i',
    ),
  },
  // "HTTP 401 Unauthorized", "HTTP Error 429: Too Many Requests" (urllib), "HTTP error 502", "retrofit2.HttpException: HTTP 429"
  { re: new RegExp(`\\bHTTP(?:[ _-]?(?:error|exception))?[\\s:]+${S}\\b(?![.:/]\\d)`, 'i') },
  // openai-node / anthropic-node: "Error: 429 You exceeded…", "RateLimitError: 429 {…}", "429 status code (no body)"
  { re: new RegExp(`\\b${E} status code\\b`, 'i') },
  {
    re: new RegExp(
      `(?:^|[\\s.:\\]])(?:[\\w$]*(?:Error|Exception)|Error|error)\\]?:\\s*${E}\\b(?![.:/-]\\d)(?!\\s*(?:ms|s|bytes|tokens)\\b)`,
      'm',
    ),
  },
  // Claude Code "API Error: 529 {…}"; "got status: 429", "returned 429", "responded with status 429", "failed with 503"
  {
    re: new RegExp(
      `\\b(?:got|returned|received|responded with|failed with|returns?|response|code)(?: an?)?(?: HTTP)?(?: status)?:?\\s+${E}\\b(?![.:/-]\\d)`,
      'i',
    ),
  },
  // aiohttp's ClientResponseError: "429, message='Too Many Requests', url=…"
  { re: new RegExp(`\\b${E}, message=`) },
  // a class without Error/Exception in its name: "google.api_core.exceptions.ResourceExhausted: 429 Resource has been exhausted"
  { re: new RegExp(`\\b[A-Za-z_$][\\w.$]*[A-Za-z]:\\s+${E}\\s+(?=[A-Z])`) },
  // "429 Too Many Requests", "[429 Too Many Requests]" (Gemini JS), "503 Service Unavailable"
  { re: new RegExp(`\\b${E}[ -](?:${REASONS})\\b`, 'i') },
  // "[429]", "(429)", "<429>"
  { re: new RegExp(`[\\[(<]${E}[\\])>]`) },
  // openai-node's message printed without its class: a line that starts "429 You exceeded…"
  { re: new RegExp(`^\\s*${E} (?=[A-Z][a-z])`, 'm') },
  // Cloudflare's page as text: "Error reference number: 502", "Error code 522"
  { re: new RegExp(`\\berror (?:reference )?(?:number|code)[:\\s]+${E}\\b`, 'i') },
  // "code: 429" / "code=429" outside a body
  { re: new RegExp(`\\b(?:error[ _-]?)?code["']?\\s*[:=]\\s*["']?${E}\\b(?![.:/]\\d)`, 'i') },
];

/** The status an error text states, and from which words. Reads only the first 64 KiB of each line block. */
export function statusFromErrorText(text: string): StatusHit | undefined {
  const head = text.length > 262_144 ? text.slice(0, 262_144) : text;
  // an error status first (a log line "HTTP/1.1 200 OK" before the error is not the error's); then any
  for (const errorOnly of [true, false]) {
    for (const { re } of FORMS) {
      const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
      for (let m = g.exec(head), n = 0; m && n < 50; m = g.exec(head), n++) {
        const status = Number(m[1]);
        if (!m[1] || status < 100 || status > 599 || (errorOnly && status < 400)) continue;
        return { status, from: m[0].trim().replace(/^[\s.:\]]+/, ''), index: m.index };
      }
    }
  }
  return undefined;
}
