'use strict';
/* global require, process */
// The floor for `apidoctor keys` in the bench: GET /api/keys with nothing but Node's own http module, the
// body read and dropped, nothing written. Whatever `apidoctor keys` takes beyond this is its own cost:
// reading the list, laying out the table and writing it.
const http = require('node:http');
let bytes = 0;
http
  .get(
    `${process.env.MODELSWITCH_BASE_URL}/api/keys`,
    { headers: { authorization: `Bearer ${process.env.MODELSWITCH_BILLING_KEY}` } },
    (res) => {
      res.on('data', (d) => (bytes += d.length));
      res.on('end', () => process.stderr.write(`${bytes}\n`));
    },
  )
  .on('error', (e) => {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  });
