'use strict';
// Preloaded with NODE_OPTIONS=--require …/peak-rss.cjs: when the process exits, writes its peak resident
// set size in KiB to $PEAK_RSS_FILE. It reads VmHWM from /proc/self/status, the high-water mark of this
// program's own memory: getrusage's ru_maxrss (process.resourceUsage().maxRSS) keeps, across exec, the RSS
// the forking parent had, so a child of a big test worker would report the worker's size.
/* global require */
const { readFileSync, writeFileSync } = require('node:fs');

const file = process.env.PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    let kib;
    try {
      kib = Number(/^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
    } catch {
      kib = process.resourceUsage().maxRSS;
    }
    writeFileSync(file, String(kib));
  });
}
