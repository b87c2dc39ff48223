'use strict';
/* global require, process, __dirname, Buffer */
// Run by scripts/build.mjs, once per command line of a training set: runs the CLI as bin/apidoctor.js
// does (its compileCli(), so that the cache is made for exactly the source it compiles), and at exit
// writes V8's code cache for every function compiled so far to dist/run.v8cache. Each run starts from
// the cache of the one before, so the last holds the functions of them all.
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');
const { compileCli } = require('../bin/apidoctor.js');

const cache = join(__dirname, '..', 'dist', 'run.v8cache');
const cli = compileCli();
if (!cli.stamp) throw new Error('dist/run.cjs has no build stamp: run scripts/build.mjs');
process.once('exit', () => {
  const tmp = `${cache}.${process.pid}`;
  writeFileSync(tmp, Buffer.concat([Buffer.from(cli.stamp, 'latin1'), cli.script.createCachedData()]));
  renameSync(tmp, cache);
});
cli.run();
