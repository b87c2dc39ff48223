'use strict';
/* global require, module */
// Only the parts of undici apidoctor uses: its ProxyAgent, for requests that go through an HTTP(S)
// proxy (src/http/client.ts; the others use Node's own http). Importing the package's index evaluates
// all of undici (fetch, WebSocket, caches, mocks: ~100 ms on a small machine); these files are a fraction.

// undici parses HTTP/1.1 with llhttp compiled to WebAssembly. V8 compiles it with Liftoff (its baseline
// wasm compiler) and then, once the parser is hot, recompiles it with TurboFan on a background thread:
// a short-lived CLI pays for that compile (and the process waits for it before it can exit) but never
// runs long enough to profit from it. Liftoff alone removed ~60 ms from `balance` and ~100 ms from
// `doctor` (bench/). The flag only concerns WebAssembly, and must be set before llhttp is compiled.
require('node:v8').setFlagsFromString('--liftoff-only');
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const ProxyAgent = require('undici/lib/dispatcher/proxy-agent');
const buildConnector = require('undici/lib/core/connect');
const apiRequest = require('undici/lib/api/api-request');
const apiConnect = require('undici/lib/api/api-connect');

Dispatcher.prototype.request = apiRequest;
// ProxyAgent opens its tunnel with dispatcher.connect (HTTP CONNECT).
Dispatcher.prototype.connect = apiConnect;

/** Same contract as undici's own `request(url, opts)`. */
function request(url, opts) {
  const u = typeof url === 'string' ? new URL(url) : url;
  const { dispatcher, ...rest } = opts;
  return dispatcher.request({ ...rest, origin: u.origin, path: u.pathname + u.search });
}

module.exports = { ProxyAgent, buildConnector, request };
