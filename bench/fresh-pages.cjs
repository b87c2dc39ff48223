'use strict';
/* global Buffer, process */
// What this machine charges for memory a process touches for the first time: 64 MiB written twice, the
// first time into fresh pages (each a page fault, the kernel zeroing and mapping it), then again. Prints
// microseconds per 4 KiB page, fresh then warm, as JSON. On a laptop a fresh page costs well under a
// microsecond; in some virtual machines over ten, and then every megabyte a run reads or builds for the
// first time costs several milliseconds before any work is done on it.
const SIZE = 64 * 1024 * 1024;
const pages = SIZE / 4096;
const b = Buffer.allocUnsafeSlow(SIZE);
let t = process.hrtime.bigint();
b.fill(1);
const fresh = Number(process.hrtime.bigint() - t) / 1e3 / pages;
t = process.hrtime.bigint();
b.fill(2);
const warm = Number(process.hrtime.bigint() - t) / 1e3 / pages;
process.stdout.write(JSON.stringify({ fresh, warm }) + '\n');
