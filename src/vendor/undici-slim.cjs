'use strict';
// Only the parts of undici apidoctor uses. Importing the package's index evaluates all of undici
// (fetch, WebSocket, caches, mocks: ~100 ms on a small machine); these files are a fraction of that.
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const Agent = require('undici/lib/dispatcher/agent');
const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent');
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

module.exports = { Agent, EnvHttpProxyAgent, buildConnector, request };
