import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/diagnosis/envelope.js';
import { failureFromSaved, fillFromBody, parseSavedResponse } from '../../src/diagnosis/failure.js';
import { diagnose } from '../../src/diagnosis/engine.js';

describe('parseBody: JSON envelopes of every vendor', () => {
  it('OpenAI: message, type, code, param; numeric code becomes a string, null type is absent', () => {
    expect(parseBody('{"error":{"message":"Bad","type":"invalid_request_error","code":"invalid_api_key","param":"model"}}')).toMatchObject({
      format: 'json',
      hasError: true,
      message: 'Bad',
      errorType: 'invalid_request_error',
      code: 'invalid_api_key',
      param: 'model',
    });
    const p = parseBody('{"error":{"message":"Budget","type":null,"code":400}}');
    expect(p.errorType).toBeUndefined();
    expect(p).toMatchObject({ code: '400', status: 400 });
  });

  it('error shapes beside {error: {...}}: Apigee fault, Tencent Response.Error, error arrays, GraphQL, {error_code, error_msg}, {errcode, errmsg}, {code, msg}, success:false, error:true', () => {
    expect(parseBody('{"fault":{"faultstring":"Invalid ApiKey","detail":{"errorcode":"oauth.v2.InvalidApiKey"}}}')).toMatchObject({
      hasError: true,
      message: 'Invalid ApiKey',
      code: 'oauth.v2.InvalidApiKey',
    });
    expect(parseBody('{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad sig"},"RequestId":"r-9"}}')).toMatchObject(
      { hasError: true, message: 'bad sig', code: 'AuthFailure.SignatureFailure', requestId: 'r-9' },
    );
    expect(parseBody('{"success":false,"result":[],"messages":[],"error":[{"code":2009,"message":"Unauthorized"}]}')).toMatchObject({
      hasError: true,
      message: 'Unauthorized',
      code: '2009',
    });
    expect(parseBody('{"errors":[{"message":"Unauthorized","extensions":{"code":"UNAUTHENTICATED"}}],"data":null}')).toMatchObject({
      hasError: true,
      message: 'Unauthorized',
      code: 'UNAUTHENTICATED',
    });
    expect(parseBody('{"error_code":18,"error_msg":"Open api qps request limit reached"}')).toMatchObject({
      hasError: true,
      code: '18',
      message: 'Open api qps request limit reached',
    });
    expect(parseBody('{"errcode":40001,"errmsg":"invalid credential"}')).toMatchObject({
      hasError: true,
      code: '40001',
      message: 'invalid credential',
    });
    expect(parseBody('{"code":40005,"msg":"limited","data":null}')).toMatchObject({ hasError: true, message: 'limited' });
    expect(parseBody('{"success":false,"message":"nope"}').hasError).toBe(true);
    expect(parseBody('{"error_code":1,"error":true,"message":"Invalid API KEY"}')).toMatchObject({
      hasError: true,
      message: 'Invalid API KEY',
    });
  });

  it('success bodies in those shapes are not errors', () => {
    expect(parseBody('{"code":0,"msg":"ok","data":{"x":1}}').hasError).toBe(false);
    expect(parseBody('{"code":200,"message":"success"}').hasError).toBe(false);
    expect(parseBody('{"errcode":0,"errmsg":"ok"}').hasError).toBe(false);
    expect(parseBody('{"error_code":0,"error_msg":""}').hasError).toBe(false);
    expect(parseBody('{"data":{"a":1},"errors":[{"message":"partial"}]}').hasError).toBe(false);
    expect(parseBody('{"success":true,"balance":3}').hasError).toBe(false);
    expect(parseBody('{"code":40005,"msg":"limited","data":{"items":[]}}').hasError).toBe(false);
  });

  it('success bodies whose business code is not 0 or 200, or that list warnings beside a result, are not errors', () => {
    // FastAdmin/ThinkPHP answer success with code 1 and data null; other gateways use 10000 or "00000".
    expect(parseBody('{"code":1,"msg":"请求成功","time":"1700000000","data":null}').hasError).toBe(false);
    expect(parseBody('{"code":10000,"msg":"success","result":{"answer":"hi"}}').hasError).toBe(false);
    expect(parseBody('{"code":"00000","message":"success","data":null,"requestId":"a1b2"}').hasError).toBe(false);
    expect(parseBody('{"code":"0000","msg":"done"}').hasError).toBe(false);
    expect(parseBody('{"code":3,"msg":"ok","success":true}').hasError).toBe(false);
    // Cloudflare's envelope: success true with a result is a success, whatever its errors/messages list.
    expect(
      parseBody('{"result":{"response":"ok"},"success":true,"errors":[{"code":1000,"message":"deprecated model"}],"messages":[]}').hasError,
    ).toBe(false);
    expect(
      parseBody('{"id":"c1","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}],"errors":[{"message":"warn"}]}').hasError,
    ).toBe(false);
    // …while the error forms stay errors.
    expect(parseBody('{"code":1,"msg":"操作失败","data":null}').hasError).toBe(true);
    expect(parseBody('{"code":10013,"message":"input content audit failed","sid":"cha1"}').hasError).toBe(true);
    expect(
      parseBody('{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}').hasError,
    ).toBe(true);
    expect(parseBody('{"code":1,"msg":"unsuccessful: quota exhausted","data":null}').hasError).toBe(true);
  });

  it('AWS names its error in x-amzn-errortype when the body does not', () => {
    expect(
      parseBody('{"message":"Forbidden"}', { 'x-amzn-ErrorType': 'ForbiddenException:http://internal.amazon.com/coral/' }).errorType,
    ).toBe('ForbiddenException');
    expect(parseBody('{"__type":"ThrottlingException","message":"x"}', { 'x-amzn-errortype': 'Other' }).errorType).toBe(
      'ThrottlingException',
    );
  });

  it('Anthropic: the inner error type and the top-level request_id', () => {
    expect(parseBody('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}')).toMatchObject({
      errorType: 'overloaded_error',
      message: 'Overloaded',
      requestId: 'req_1',
      hasError: true,
    });
  });

  it('OpenRouter: the provider’s own error from metadata.raw', () => {
    const raw = JSON.stringify({ error: { type: 'invalid_request_error', message: 'at most 1 image' } });
    const p = parseBody(
      JSON.stringify({ error: { message: 'Provider returned error', code: 400, metadata: { raw, provider_name: 'Crucible' } } }),
    );
    expect(p.message).toBe('Provider returned error');
    expect(p.provider).toEqual({ name: 'Crucible', errorType: 'invalid_request_error', code: undefined, message: 'at most 1 image' });
    expect(p.status).toBe(400);
  });

  it('OpenRouter: a raw that is not JSON is kept as the provider’s message', () => {
    expect(
      parseBody('{"error":{"message":"Provider returned error","code":502,"metadata":{"raw":"upstream timed out"}}}').provider?.message,
    ).toBe('upstream timed out');
  });

  it('Google: status text as type, details reasons, RetryInfo delay', () => {
    const p = parseBody(
      JSON.stringify({
        error: {
          code: 429,
          message: 'Quota',
          status: 'RESOURCE_EXHAUSTED',
          details: [
            { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [] },
            { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
            { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED' },
          ],
        },
      }),
    );
    expect(p).toMatchObject({ errorType: 'RESOURCE_EXHAUSTED', status: 429, retryDelaySec: 37 });
    expect(p.reasons).toEqual(expect.arrayContaining(['QuotaFailure', 'RetryInfo', 'RATE_LIMIT_EXCEEDED']));
  });

  it('xAI: {code: <gRPC text>, error: <string>}', () => {
    expect(parseBody('{"code":"Client specified an invalid argument","error":"Incorrect API key provided"}')).toMatchObject({
      hasError: true,
      message: 'Incorrect API key provided',
      code: 'Client specified an invalid argument',
    });
  });

  it('FastAPI detail (string or list), AWS message, OAuth error_description, {code,msg} gateways', () => {
    expect(parseBody('{"detail":"Unauthorized"}').message).toBe('Unauthorized');
    expect(parseBody('{"detail":[{"loc":["body","model"],"msg":"field required","type":"missing"}]}')).toMatchObject({
      message: 'body.model: field required',
      errorType: 'missing',
    });
    expect(parseBody('{"message":"Endpoint request timed out"}').message).toBe('Endpoint request timed out');
    expect(parseBody('{"error":"invalid_token","error_description":"The access token expired"}')).toMatchObject({
      code: 'invalid_token',
      message: 'The access token expired',
    });
    expect(parseBody('{"code":401,"msg":"无效的令牌"}')).toMatchObject({ message: '无效的令牌', status: 401 });
  });

  it('a JSON string or an array-wrapped Google error', () => {
    expect(parseBody('"Unauthorized"', { 'content-type': 'application/json' }).message).toBe('Unauthorized');
    expect(parseBody('[{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}]')).toMatchObject({
      status: 403,
      errorType: 'PERMISSION_DENIED',
    });
  });
});

describe('parseBody: pages, text, streams, and bodies that are not bodies', () => {
  it('HTML: title and h1, the vendor from the page footer, the CDN from headers', () => {
    const p = parseBody(
      '<html><head><title>401 Authorization Required</title></head><body><center><h1>401 Authorization Required</h1></center><hr><center>openresty/1.27.4</center></body></html>',
      { Server: 'cloudflare' },
    );
    expect(p).toMatchObject({
      format: 'html',
      title: '401 Authorization Required',
      heading: '401 Authorization Required',
      excerpt: '401 Authorization Required',
      vendorHint: 'openresty',
      cdn: 'cloudflare',
    });
  });

  it('Cloudflare: challenge pages and 52x codes', () => {
    expect(
      parseBody(
        '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><script>window._cf_chl_opt={}</script></body></html>',
      ),
    ).toMatchObject({ vendorHint: 'cloudflare', cdnChallenge: true });
    expect(parseBody('<html><head><title>x</title></head></html>', { 'cf-mitigated': 'challenge', 'cf-ray': 'r' }).cdnChallenge).toBe(true);
    expect(parseBody('error code: 524', { server: 'cloudflare' })).toMatchObject({
      format: 'text',
      vendorHint: 'cloudflare',
      cdnErrorCode: 524,
    });
    expect(
      parseBody(
        '<html><head><title>example.com | 522: Connection timed out</title></head><body><div id="cf-error-details"><span>Error code 522</span></div></body></html>',
      ),
    ).toMatchObject({ vendorHint: 'cloudflare', cdnErrorCode: 522 });
  });

  it('envoy, Vercel and nginx signatures', () => {
    expect(parseBody('upstream connect error or disconnect/reset before headers. reset reason: connection failure').vendorHint).toBe(
      'envoy',
    );
    expect(
      parseBody('An error occurred with your deployment\n\nFUNCTION_INVOCATION_TIMEOUT\n', {
        'x-vercel-error': 'FUNCTION_INVOCATION_TIMEOUT',
      }),
    ).toMatchObject({ vendorHint: 'vercel', code: 'FUNCTION_INVOCATION_TIMEOUT', excerpt: 'An error occurred with your deployment' });
    expect(
      parseBody(
        '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
      ).vendorHint,
    ).toBe('nginx');
  });

  it('plain text: the first line as excerpt, the text as message', () => {
    expect(parseBody('Service Unavailable\nplease retry')).toMatchObject({
      format: 'text',
      excerpt: 'Service Unavailable',
      message: 'Service Unavailable please retry',
    });
  });

  it('SSE: an error event, and whether [DONE] arrived', () => {
    const openai = parseBody('data: {"choices":[]}\n\ndata: {"error":{"message":"boom","type":"server_error"}}\n\ndata: [DONE]\n\n');
    expect(openai).toMatchObject({
      format: 'sse',
      hasError: true,
      errorType: 'server_error',
      message: 'boom',
      sseDone: true,
      sseEvents: 3,
    });
    expect(openai.sseError).toMatchObject({ errorType: 'server_error', message: 'boom' });
    const anthropic = parseBody(
      'event: error\r\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\r\n\r\n',
    );
    expect(anthropic).toMatchObject({ format: 'sse', errorType: 'overloaded_error', sseDone: false });
    expect(anthropic.sseError?.event).toBe('error');
    const cut = parseBody('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"choi', { 'content-type': 'text/event-stream' });
    expect(cut).toMatchObject({ format: 'sse', hasError: false, sseDone: false });
    expect(parseBody('event: error\ndata: something broke\n\n').sseError?.message).toBe('something broke');
  });

  it('empty and whitespace-only bodies', () => {
    expect(parseBody(undefined).format).toBe('empty');
    expect(parseBody('').format).toBe('empty');
    expect(parseBody(' \r\n\t ').format).toBe('empty');
  });

  it('binary: invalid UTF-8, NUL bytes, a binary content type', () => {
    const bytes = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x9c, 0x80, 0x81, 0x82, 0x83, 0x84]);
    expect(parseBody(bytes.toString('utf8')).format).toBe('binary');
    expect(parseBody('\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD').format).toBe('binary');
    expect(parseBody('GIF89a', { 'content-type': 'image/gif' }).format).toBe('binary');
  });

  it('truncated JSON: flagged, and the fields that arrived are still read', () => {
    const p = parseBody('{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded","param":nu');
    expect(p).toMatchObject({
      format: 'json',
      malformedJson: true,
      hasError: true,
      message: 'Rate limit reached for requests',
      errorType: 'requests',
      code: 'rate_limit_exceeded',
    });
    expect(parseBody('{"error":{"message":"The server had an err').message).toBe('The server had an err…');
  });

  it('100k-deep nesting, closed or not, does not throw', () => {
    const open = '['.repeat(100_000);
    expect(() => parseBody(open)).not.toThrow();
    expect(parseBody(open)).toMatchObject({ format: 'json', malformedJson: true });
    expect(parseBody(open + ']'.repeat(100_000))).toMatchObject({ format: 'json', hasError: false });
    const objects = '{"error":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    expect(() => parseBody(objects)).not.toThrow();
    expect(() => diagnose(failureFromSaved({ status: 500, headers: {}, body: objects }))).not.toThrow();
    expect(diagnose(failureFromSaved({ status: 400, headers: {}, body: open })).id).toBe('request.invalid');
  });

  it('request id: headers first (any case), then the body, then "(request id: …)" in the message', () => {
    expect(parseBody('{"error":{"message":"x"},"request_id":"body-id"}', { 'X-Request-Id': 'hdr-id', 'cf-ray': 'ray' }).requestId).toBe(
      'hdr-id',
    );
    expect(parseBody('{"error":{"message":"x"}}', { 'cf-ray': 'ray-1' }).requestId).toBe('ray-1');
    expect(parseBody('{"error":{"message":"x"}}', { 'x-amzn-requestid': 'aws-1', 'cf-ray': 'ray-1' }).requestId).toBe('aws-1');
    expect(parseBody('{"error":{"message":"x"},"request_id":"body-id"}').requestId).toBe('body-id');
    expect(parseBody('{"error":{"message":"Saturated (request id: 2024072510422562564674066306279)"}}').requestId).toBe(
      '2024072510422562564674066306279',
    );
  });
});

describe('parseSavedResponse: what explain is given', () => {
  it('curl -i with 100 Continue and CRLF: the last header block wins, the body is kept byte for byte', () => {
    const text =
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 3\r\nX-Request-Id: abc\r\n\r\n{"error":{"message":"slow down"}}\r\n';
    expect(parseSavedResponse(text)).toEqual({
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '3', 'x-request-id': 'abc' },
      body: '{"error":{"message":"slow down"}}\r\n',
    });
  });

  it('HTTP/2 status line with LF, and a proxy’s "200 Connection established" block first', () => {
    expect(parseSavedResponse('HTTP/2 429\nretry-after: 1\n\n{"error":{}}').status).toBe(429);
    const viaProxy =
      'HTTP/1.1 200 Connection established\n\nHTTP/2 403\ncontent-type: application/json\n\n{"error":{"message":"Forbidden"}}';
    expect(parseSavedResponse(viaProxy)).toMatchObject({
      status: 403,
      headers: { 'content-type': 'application/json' },
      body: '{"error":{"message":"Forbidden"}}',
    });
  });

  it('a body with blank lines of its own stays whole; repeated headers are joined', () => {
    const r = parseSavedResponse('HTTP/1.1 502 Bad Gateway\nSet-Cookie: a=1\nSet-Cookie: b=2\n\n<html>\n\n<h1>502</h1>\n\n</html>');
    expect(r.body).toBe('<html>\n\n<h1>502</h1>\n\n</html>');
    expect(r.headers['set-cookie']).toBe('a=1, b=2');
  });

  it('curl -v output', () => {
    const text =
      '*   Trying 1.2.3.4:443...\n> GET /v1/models HTTP/1.1\n> Host: modelswitch.io\n>\n< HTTP/1.1 401 Unauthorized\n< content-type: application/json\n<\n{"error":{"message":"Invalid API key"}}';
    expect(parseSavedResponse(text)).toMatchObject({
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: '{"error":{"message":"Invalid API key"}}',
    });
  });

  it('a captured {status, headers, body} JSON, as in the error samples', () => {
    const text = JSON.stringify({
      status: 503,
      headers: { 'Content-Type': 'text/plain', Server: 'envoy' },
      body: 'upstream connect error',
    });
    expect(parseSavedResponse(text)).toEqual({
      status: 503,
      headers: { 'content-type': 'text/plain', server: 'envoy' },
      body: 'upstream connect error',
    });
    expect(parseSavedResponse(JSON.stringify({ status: 400, body: { error: { message: 'x' } } })).body).toBe('{"error":{"message":"x"}}');
  });

  it('a raw body: the status it states is used when none is given; an explicit status wins', () => {
    expect(parseSavedResponse('{"error":{"code":429,"message":"Quota","status":"RESOURCE_EXHAUSTED"}}')).toMatchObject({
      status: 429,
      headers: {},
    });
    expect(parseSavedResponse('{"error":{"code":"429","message":"slow"}}').status).toBe(429);
    expect(parseSavedResponse('{"error":{"message":"Forbidden"}}').status).toBeUndefined();
    expect(parseSavedResponse('{"error":{"code":429}}', { status: 402 }).status).toBe(402);
    expect(parseSavedResponse('HTTP/1.1 500 Oops\n\n', { status: 503 }).status).toBe(503);
  });

  it('a byte-order mark and leading blank lines do not hide the status line', () => {
    expect(parseSavedResponse('\uFEFF\n\nHTTP/1.1 404 Not Found\n\n').status).toBe(404);
  });
});

describe('failureFromSaved and fillFromBody', () => {
  it('a 2xx event stream becomes a stream failure, cut when no [DONE] came', () => {
    expect(failureFromSaved({ status: 200, headers: {}, body: 'data: {"x":1}\n\n' })).toMatchObject({ kind: 'stream', streamCut: true });
    expect(failureFromSaved({ status: 200, headers: {}, body: 'data: {"x":1}\n\ndata: [DONE]\n\n' })).toMatchObject({
      kind: 'stream',
      streamCut: false,
    });
  });

  it('a 2xx page is marked not-json; a 2xx JSON error is left for the engine to read in-band', () => {
    expect(
      failureFromSaved({ status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html><title>Login</title></html>' }).unexpectedBody,
    ).toBe('not-json');
    expect(failureFromSaved({ status: 200, headers: {}, body: '{"error":{"message":"x"}}' }).unexpectedBody).toBeUndefined();
  });

  it('fills the error fields, lower-cases headers, keeps the status the body states', () => {
    const f = failureFromSaved({
      headers: { 'X-Request-Id': 'r1' },
      body: '{"error":{"code":400,"message":"API key not valid","status":"INVALID_ARGUMENT"}}',
    });
    expect(f).toMatchObject({
      kind: 'http',
      status: 400,
      errorType: 'INVALID_ARGUMENT',
      code: '400',
      message: 'API key not valid',
      requestId: 'r1',
      headers: { 'x-request-id': 'r1' },
    });
  });

  it('fillFromBody keeps what the client already set', () => {
    const f = fillFromBody({
      kind: 'http',
      status: 429,
      headers: {},
      body: '{"error":{"message":"from body","type":"t"}}',
      attempts: [],
      message: 'from client',
    });
    expect(f).toMatchObject({ message: 'from client', errorType: 't' });
  });
});
