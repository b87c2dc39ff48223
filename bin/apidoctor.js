#!/usr/bin/env node
// The installed entry point: start the built CLI. Everything else lives in dist/.
import '../dist/run.js';
