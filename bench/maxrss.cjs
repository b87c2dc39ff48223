'use strict';
// Preloaded with `node --require bench/maxrss.cjs` for the memory measurement only: when the process
// exits (naturally or through process.exit), writes its peak resident set size in KiB to
// $BENCH_MAXRSS_FILE (and its minor page faults to that name + `.faults`). Where /proc exists it is VmHWM, the peak of this program's own memory: getrusage's
// ru_maxrss (process.resourceUsage().maxRSS) also keeps the peak of the memory the process had before
// exec — a fork of the bench itself, which holds a 100 MB log and a million emulated keys by the time the
// logs row runs (that read 158 MiB for a run whose own peak was 63). Elsewhere, ru_maxrss.
/* global require */
const { readFileSync, writeFileSync } = require('node:fs');

function peakKiB() {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // no /proc: getrusage below
  }
  return process.resourceUsage().maxRSS;
}

const file = process.env.BENCH_MAXRSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(peakKiB()));
    // Page faults: the pages the process touched for the first time (see bench/fresh-pages.cjs).
    writeFileSync(`${file}.faults`, String(process.resourceUsage().minorPageFault));
  });
}
