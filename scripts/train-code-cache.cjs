'use strict';
/* global require, process, __dirname, Buffer */
// Run by scripts/build.mjs, once per command line of a training set: runs the CLI as bin/apidoctor.js
// does (its compileCli(), so that the cache is made for exactly the source it compiles), and at exit
// writes V8's code cache for every function compiled so far to dist/run.v8cache. Each run starts from
// the cache of the one before, so the last holds the functions of them all.
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');
const { compileCli, cacheHeader } = require('../bin/apidoctor.js');

const cache = join(__dirname, '..', 'dist', 'run.v8cache');
const cli = compileCli();
process.once('exit', () => {
  const tmp = `${cache}.${process.pid}`;
  const data = cli.script.createCachedData();
  writeFileSync(tmp, Buffer.concat([Buffer.from(cacheHeader(cli.bundle, data), 'latin1'), data]));
  renameSync(tmp, cache);
});
cli.run();
