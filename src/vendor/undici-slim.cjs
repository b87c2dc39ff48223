'use strict';
/* global require, module, process */
// Only the parts of undici apidoctor uses: its ProxyAgent, for requests that go through an HTTP(S)
// proxy (src/http/client.ts; the others use Node's own http). Importing the package's index evaluates
// all of undici (fetch, WebSocket, caches, mocks: ~100 ms on a small machine); these files are a fraction.

// undici parses HTTP/1.1 with llhttp compiled to WebAssembly. V8 compiles it with Liftoff (its baseline
// wasm compiler) and then, once the parser is hot, recompiles it with TurboFan on a background thread:
// a short-lived CLI pays for that compile (and the process waits for it before it can exit) but never
// runs long enough to profit from it. The flag only concerns WebAssembly, and must be set before llhttp
// is compiled. Measured on `balance --json` through a proxy, back to back (CPU time of the process):
// Node 20 285 ms with it vs 598 ms without, Node 22 184 vs 310; Node 24 237 vs 235 and Node 26 314 vs
// 301, whose V8 no longer makes a short run wait for that compile. So only before Node 24.
if (Number(process.versions.node.split('.')[0]) < 24) require('node:v8').setFlagsFromString('--liftoff-only');
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
