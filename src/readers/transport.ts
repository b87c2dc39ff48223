/**
 * Transport failures by their names, in any language's words, as the network code the rules know.
 * Most specific first: a text that says "Connection error." and, in its cause, "Connection refused" is refused.
 */

export interface TransportHit {
  /** A Node-style code the network rules read (ECONNREFUSED, ETIMEDOUT, CERT_…). */
  code: string;
  /** The words it was read from. */
  from: string;
}

const T: ReadonlyArray<readonly [RegExp, string]> = [
  // proxies first: a proxy that refused or timed out is still the proxy
  [
    /\bUND_ERR_PRX_TLS\b|\bERR_PROXY\w*|\bProxyError\b|Unable to connect to proxy|Cannot connect to proxy|proxyconnect tcp|Tunnel connection failed|Proxy response \(\d+\) !== 200|failed to connect to proxy|ProxyConnectionError/i,
    'ERR_PROXY',
  ],
  // TLS
  [/\bSELF_SIGNED_CERT_IN_CHAIN\b|self[- ]signed certificate in certificate chain/i, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/\bDEPTH_ZERO_SELF_SIGNED_CERT\b|\bself[- ]signed certificate\b/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [
    /\bUNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?\b|unable to get (?:local )?issuer certificate|certificate signed by unknown authority|PKIX path building failed|unable to find valid certification path/i,
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  ],
  [/\bUNABLE_TO_VERIFY_LEAF_SIGNATURE\b|unable to verify the first certificate/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/\bCERT_HAS_EXPIRED\b|certificate has expired|certificate (?:is )?expired/i, 'CERT_HAS_EXPIRED'],
  [
    /\bERR_TLS_CERT_ALTNAME_INVALID\b|does not match certificate'?s altnames|certificate is valid for .* not |Hostname mismatch|doesn't match either of/i,
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ],
  [/\bCERTIFICATE_VERIFY_FAILED\b|certificate verify failed/i, 'CERTIFICATE_VERIFY_FAILED'],
  [
    /\bWRONG_VERSION_NUMBER\b|\bSSLError\b|\bSSLHandshakeException\b|\bEPROTO\b|SSL routines|\bERR_SSL_\w+|tls: \w|handshake failure|TLS handshake|ERR_CERT_\w+|\bSSL_ERROR_\w+|SSL_connect|\bSSL error\b|SSL connection could not be established|secure connection to the server cannot be made/i,
    'ERR_SSL_PROTOCOL_ERROR',
  ],
  // DNS
  [/\bEAI_AGAIN\b|Temporary failure in name resolution|temporary error during hostname resolution|server misbehaving/i, 'EAI_AGAIN'],
  [
    /\bENOTFOUND\b|\bEAI_NONAME\b|getaddrinfo (?:failed|ENOTFOUND)|Name or service not known|nodename nor servname provided|no such host|Could not resolve host|Failed to resolve|NameResolutionError|Name does not resolve|No address associated with hostname|UnknownHostException|\bdns error\b|failed to lookup address|ERR_NAME_NOT_RESOLVED|Failed host lookup|host lookup failed|hostname could not be found|No such host is known|\blookup [\w.-]+ on \S+:53\b/i,
    'ENOTFOUND',
  ],
  // refused, unreachable
  [
    /\bECONNREFUSED\b|Connection refused|actively refused|ConnectionRefusedError|connect: connection refused|Failed to connect to .* port \d+|ERR_CONNECTION_REFUSED|Could not connect to the server|Couldn't connect to server/i,
    'ECONNREFUSED',
  ],
  [
    /\bENETUNREACH\b|\bEHOSTUNREACH\b|Network is unreachable|No route to host|Host is unreachable|ERR_INTERNET_DISCONNECTED|ERR_ADDRESS_UNREACHABLE|Internet connection appears to be offline|not connected to the internet/i,
    'ENETUNREACH',
  ],
  // time-outs (a status elsewhere in the text wins over these: "504 Gateway Timeout" is an answer)
  [
    /\bUND_ERR_CONNECT_TIMEOUT\b|\bConnectTimeout(?:Error|Exception)?\b|connect(?:ion)? timed out|Connection timed out|connect ETIMEDOUT|ERR_CONNECTION_TIMED_OUT/i,
    'UND_ERR_CONNECT_TIMEOUT',
  ],
  [
    /\bUND_ERR_HEADERS_TIMEOUT\b|\bUND_ERR_BODY_TIMEOUT\b|\bETIMEDOUT\b|\bESOCKETTIMEDOUT\b|\bi\/o timeout\b|Read timed out|\bReadTimeout(?:Error)?\b|\bAPITimeoutError\b|\bAPIConnectionTimeoutError\b|Request timed out|request timeout|context deadline exceeded|Client\.Timeout exceeded|Operation timed out|timed out after|\bSocketTimeoutException\b|HttpClient\.Timeout|TaskCanceledException|aborted due to timeout|\bTimeoutError\b|\bTimeout(?:Exception)?\b:|\btimed out\b|\bDEADLINE_EXCEEDED\b|ERR_TIMED_OUT|Headers? Timeout Error|Body Timeout Error|HeadersTimeoutError|BodyTimeoutError|timeout of \d+ ?ms exceeded|timeout awaiting (response )?headers/i,
    'ETIMEDOUT',
  ],
  // reset, closed, cut
  [
    /\bECONNRESET\b|socket hang up|Connection reset|connection was reset|\bEPIPE\b|Broken pipe|\bUND_ERR_SOCKET\b|other side closed|RemoteDisconnected|Server disconnected|ServerDisconnectedError|peer closed connection|IncompleteRead|unexpected EOF|Connection aborted|ECONNABORTED|ChunkedEncodingError|RemoteProtocolError|premature close|\bEOF\b occurred|Connection closed|connection was closed|ERR_CONNECTION_RESET|ERR_CONNECTION_CLOSED|ERR_EMPTY_RESPONSE|Empty reply from server|network connection was lost|TypeError: terminated|GOAWAY|": EOF\s*$|: EOF$/im,
    'ECONNRESET',
  ],
  // a connection failed, cause unknown: openai "APIConnectionError: Connection error.", fetch "fetch failed", axios "Network Error"
  [
    /\bAPIConnectionError\b|Connection error\.|\bfetch failed\b|Failed to fetch|NetworkError when attempting|\bERR_NETWORK\b|\bNetwork Error\b|\bConnectError\b|ClientConnectorError|Cannot connect to host|\bConnectionError\b|\bConnectException\b|\bUND_ERR_\w+|Faraday::ConnectionFailed|error sending request/i,
    'ECONNECTION',
  ],
];

/** The transport failure a text names, if any. Reads the first 256 KiB. */
export function transportFromText(text: string): TransportHit | undefined {
  // the head and the tail (a traceback's last line): a transport failure is named there, not inside a long body
  const head = text.length > 81_920 ? `${text.slice(0, 65_536)}\n${text.slice(-16_384)}` : text;
  for (const [re, code] of T) {
    const m = re.exec(head);
    if (m) return { code, from: m[0] };
  }
  return undefined;
}
