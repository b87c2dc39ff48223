import type { CheckResult } from '../checks/runner.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Diagnosis } from '../core/types.js';
import type { Summary } from './report.js';
import { redactor } from '../core/redact.js';
import { formatMs } from './diagnosis.js';

/** Text in a table cell: no pipe ends the cell, no newline ends the row, no HTML is read as HTML. */
function cell(t: string): string {
  return t.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}

/** Text in an inline code span: backticks cannot close it early. */
function code(t: string): string {
  const s = t.replace(/\r?\n/g, ' ');
  const fence = s.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${s}${fence.length > 1 ? ' ' : ''}${fence}`;
}

/** What is known about the machine, for the report's header. */
export interface MarkdownEnv {
  version: string;
  node: string;
  os: string;
}

/**
 * `doctor --format markdown`: one report to paste into a support ticket or an issue — versions, where
 * each setting came from (keys shown masked), every check with its detail and time, the diagnoses with
 * their request ids. Redacted as everything apidoctor prints.
 */
export function renderMarkdown(
  results: CheckResult[],
  diagnoses: Diagnosis[],
  summary: Summary,
  config: ResolvedConfig,
  env: MarkdownEnv,
): string {
  const icon = { pass: '✅', warn: '⚠️', fail: '❌', skip: '⏭️' } as const;
  const setting = (label: string, value: string | undefined, source: string) =>
    `| ${label} | ${value === undefined ? 'not set' : code(redactor.redact(value))} | ${cell(source)} |`;
  const ids = new Set<string>();
  for (const d of diagnoses) if (d.evidence.requestId) ids.add(d.evidence.requestId);
  const lines = [
    '### apidoctor doctor report',
    '',
    `apidoctor ${env.version} · Node ${env.node} · ${env.os}`,
    '',
    '| Setting | Value | From |',
    '|---|---|---|',
    setting('Base URL', config.baseUrl.value, config.baseUrl.source),
    setting('Proxy key', config.apiKey.value, config.apiKey.source),
    setting('Billing key', config.billingKey.value, config.billingKey.source),
    setting('Timeout (ms)', config.timeout.value === undefined ? undefined : String(config.timeout.value), config.timeout.source),
    setting('Model', config.model.value, config.model.source),
    `| Config file | ${config.file ? code(config.file) : 'none'} | ${cell(config.file ? 'read' : (config.fileSkipped ?? 'none found'))} |`,
    '',
    '| | Check | Detail | Time |',
    '|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${icon[r.status]} | ${cell(r.title)} ${code(r.id)} | ${cell(r.detail)}${r.diagnosis && r.status !== 'pass' ? ` (${code(r.diagnosis.id)})` : ''} | ${r.durationMs ? formatMs(r.durationMs) : ''} |`,
    ),
    '',
    `**${summary.exitCode === 0 ? 'Healthy' : `Exit ${summary.exitCode} (${summary.exitReason})`}** — ${summary.pass} passed, ${summary.warn} warnings, ${summary.fail} failed, ${summary.skip} skipped${summary.rootCause ? ` — root cause ${code(summary.rootCause)}` : ''}`,
  ];
  if (diagnoses.length) {
    lines.push('', '**Diagnoses**', '');
    for (const d of diagnoses) {
      const ev = d.evidence;
      const facts = [
        ev.method || ev.endpoint ? `${ev.method ?? ''} ${ev.endpoint ?? ''}`.trim() : '',
        ev.status !== undefined ? `HTTP ${ev.status}` : '',
        ev.networkCode ?? '',
        ev.requestId ? `request id ${code(ev.requestId)}` : '',
      ].filter(Boolean);
      lines.push(
        `- ${code(d.id)} ${cell(d.title)}${facts.length ? ` — ${facts.map((f) => (f.startsWith('request id') ? f : cell(f))).join(' · ')}` : ''}`,
      );
      if (ev.message) lines.push(`  - Server said: ${code(ev.message.slice(0, 300))}`);
    }
  }
  lines.push('', `Request ids: ${ids.size ? [...ids].map(code).join(', ') : 'none (no failed request carried one)'}`);
  return redactor.redact(lines.join('\n') + '\n');
}
