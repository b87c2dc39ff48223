#!/usr/bin/env node
// The installed entry point: start the built CLI. Everything else lives in dist/.
// A failure to even load (a broken install) gets one clear line, never a stack trace.
import('../dist/run.js').catch((e) => {
  process.stderr.write(`✗ apidoctor could not start: ${e && e.message ? e.message.split('\n')[0] : e}\n  Reinstall it, or run npm ci && npm run build in a clone.\n`);
  process.exit(1);
});
