import type { Diagnosis } from '../core/types.js';
import { printDiagnosis } from './diagnosis.js';
import { report, type Reporters } from './reporter.js';

/** What `explain` made of one saved answer or error text. */
export type ExplainView = { diagnosis: Diagnosis } | { diagnosis?: undefined; status: number; what: string };

/** explain's reporter of a single text: the id on stdout (for scripts), the diagnosis on stderr laid out for the width. */
export const EXPLAIN_REPORTERS: Reporters<ExplainView> = {
  text: (v, env) =>
    report(env, (o) => {
      if (!v.diagnosis) return o.out(`${o.style.ok(o.style.symbols.pass)} HTTP ${v.status} with ${v.what}: nothing to diagnose.\n`);
      o.out(`${v.diagnosis.id}\n`);
      printDiagnosis(o, v.diagnosis);
    }),
};
