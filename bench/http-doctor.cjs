'use strict';
/* global require, process */
// The floor for `apidoctor doctor --json` in the bench: doctor's three API requests with nothing
// but Node's own http module, all at once on a keep-alive agent, bodies printed. No checks, no
// config, no CLI: whatever doctor's process takes beyond this is apidoctor's own cost.
const http = require('node:http');
const base = process.env.MODELSWITCH_BASE_URL;
const agent = new http.Agent({ keepAlive: true });
const get = (path, key) =>
  new Promise((resolve, reject) => {
    http
      .get(`${base}${path}`, { agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
Promise.all([
  get('/v1/models', process.env.MODELSWITCH_API_KEY),
  get('/api/keys', process.env.MODELSWITCH_BILLING_KEY),
  get('/api/balance', process.env.MODELSWITCH_BILLING_KEY),
]).then((bodies) => {
  process.stdout.write(`${bodies.join('\n')}\n`);
  agent.destroy();
});
