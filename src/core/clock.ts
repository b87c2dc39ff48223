/**
 * Milliseconds on a monotonic clock, for durations only. Not `performance.now()`: on Node 20 the first use
 * of the `performance` global loads perf_hooks and eight modules behind it (~1.5 ms of doctor's start to
 * its first request); process.hrtime is already loaded. A lint rule (eslint.config.js) keeps it so.
 */
export function nowMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1000 + ns / 1e6;
}
