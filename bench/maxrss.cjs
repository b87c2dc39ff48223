'use strict';
// Preloaded with `node --require bench/maxrss.cjs` for the memory measurement only: when the process
// exits (naturally or through process.exit), writes its peak resident set size in KiB
// (getrusage's ru_maxrss, as process.resourceUsage().maxRSS reports it) to $BENCH_MAXRSS_FILE.
/* global require */
const { writeFileSync } = require('node:fs');

const file = process.env.BENCH_MAXRSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
