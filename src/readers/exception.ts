/**
 * Exception class names as weak evidence: the status (or transport failure) an SDK's class implies.
 * Used only when the text carries nothing stronger (a status, a body, a transport name).
 */

export interface ExceptionHit {
  name: string;
  status?: number;
  /** For connection/timeout classes: the network code. */
  network?: string;
}

// Name stems (before Error/Exception) → status. openai/anthropic (Python, Node, Java, .NET), LiteLLM,
// google.api_core, Faraday, Gemini, Mistral, Cohere.
const STEMS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(RateLimit|RateLimited|TooManyRequests|ResourceExhausted|Throttling|QuotaExceeded)$/i, 429],
  [/^(Authentication|Unauthorized|Unauthenticated|InvalidApiKey|Auth)$/i, 401],
  [/^(PermissionDenied|Forbidden|AccessDenied|Permission)$/i, 403],
  [/^(PaymentRequired|InsufficientBalance|InsufficientQuota|Billing)$/i, 402],
  [/^(NotFound|ModelNotFound|ResourceNotFound)$/i, 404],
  [/^(Conflict)$/i, 409],
  [/^(UnprocessableEntity)$/i, 422],
  [/^(BadRequest|InvalidRequest|InvalidArgument|ContextWindowExceeded|ContentPolicyViolation|Validation)$/i, 400],
  [/^(InternalServer|Internal|Server|APIServer|ApiServer)$/i, 500],
  [/^(BadGateway)$/i, 502],
  [/^(ServiceUnavailable|Unavailable)$/i, 503],
  [/^(Overloaded)$/i, 529],
  [/^(GatewayTimeout|DeadlineExceeded)$/i, 504],
];

const NAME = /\b((?:[A-Za-z_$][\w$]*(?:\.|::|\\))*([A-Z][A-Za-z]*?)(?:Error|Exception))\b/g;

/** The first exception class in the text whose name implies a status or a transport failure. */
export function exceptionFromText(text: string): ExceptionHit | undefined {
  const head = text.length > 32_768 ? text.slice(0, 32_768) : text;
  NAME.lastIndex = 0;
  for (let m = NAME.exec(head), n = 0; m && n < 200; m = NAME.exec(head), n++) {
    const full = m[1]!;
    const stem = m[2]!;
    if (
      /^(APIConnection|Connection|Connect|ClientConnector|Network|APIConnectionTimeout|APITimeout|Timeout|ReadTimeout|ConnectTimeout)$/.test(
        stem,
      )
    ) {
      return { name: full, network: /Timeout/.test(stem) ? 'ETIMEDOUT' : 'ECONNECTION' };
    }
    const hit = STEMS.find(([re]) => re.test(stem));
    if (hit) return { name: full, status: hit[1] };
  }
  // Faraday::UnauthorizedError and google.api_core "ResourceExhausted:" (no Error suffix)
  const bare =
    /\b(?:google\.api_core\.exceptions\.|exceptions\.)(ResourceExhausted|PermissionDenied|Unauthenticated|NotFound|InvalidArgument|ServiceUnavailable|DeadlineExceeded|InternalServerError|TooManyRequests|Forbidden)\b/.exec(
      head,
    );
  if (bare?.[1]) {
    const stem = bare[1].replace(/Error$/, '');
    const hit = STEMS.find(([re]) => re.test(stem)) ?? (stem === 'Unauthenticated' ? [null, 401] : undefined);
    if (hit) return { name: bare[0], status: hit[1] as number };
  }
  return undefined;
}
