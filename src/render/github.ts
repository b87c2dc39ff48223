import type { Diagnosis } from '../core/types.js';
import { redactor } from '../core/redact.js';

/**
 * GitHub Actions glue shared by `--format github` in every command: workflow-command annotations and
 * the step outputs written to $GITHUB_OUTPUT.
 */

/** Escapes a workflow command's data (the toolkit's escapeData). */
export function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property (the toolkit's escapeProperty). */
export function ghProperty(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One annotation line: `::error title=…::message`. */
export function annotation(level: 'error' | 'warning' | 'notice', title: string, message: string): string {
  return `::${level} title=${ghProperty(title)}::${ghData(message)}\n`;
}

/** A diagnosis as the body of an annotation: what was seen, the verdict and the remedies. */
export function diagnosisMessage(d: Diagnosis, detail?: string): string {
  return `${detail ? `${detail}\n` : ''}${d.title} [${d.id}]\n${d.remedies.map((x, i) => `${i + 1}. ${x}`).join('\n')}`;
}

/** The step outputs a command publishes (the action's `outputs:` read them). */
export interface StepOutputs {
  'exit-code': number;
  'exit-reason': string;
  /** What caused a non-zero exit: a check id (doctor) or a diagnosis id (balance, keys); empty when ok. */
  'root-cause': string;
  /** The balance in USD, when the run read one. */
  balance?: number | null;
}

/**
 * The $GITHUB_OUTPUT text for `outputs`, in the documented multi-line form
 * (`name<<DELIMITER`, value, `DELIMITER`). The delimiter is random per write, so no value, whatever
 * a server put in it, can end its own entry early and forge another (`exit-code=0`).
 */
export function stepOutputsText(outputs: StepOutputs, random: () => string): string {
  const entries: Array<[string, string]> = [
    ['exit-code', String(outputs['exit-code'])],
    ['exit-reason', outputs['exit-reason']],
    ['root-cause', outputs['root-cause']],
  ];
  if (outputs.balance !== undefined) entries.push(['balance', outputs.balance === null ? '' : String(outputs.balance)]);
  let text = '';
  for (const [name, raw] of entries) {
    const value = redactor.redact(raw);
    let delimiter = `ghadelimiter_${random()}`;
    // Astronomically unlikely, but a delimiter that occurs in the value would cut it: draw again.
    while (value.includes(delimiter)) delimiter = `ghadelimiter_${random()}`;
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  return text;
}

/** Appends the outputs to the file $GITHUB_OUTPUT names; a failure to write is said, not fatal. */
export async function writeStepOutputs(path: string, outputs: StepOutputs): Promise<string | undefined> {
  const { appendFile } = process.getBuiltinModule('node:fs/promises');
  const { randomUUID } = process.getBuiltinModule('node:crypto');
  try {
    await appendFile(path, stepOutputsText(outputs, randomUUID));
    return undefined;
  } catch (e) {
    return `could not write the step outputs to $GITHUB_OUTPUT (${path}): ${(e as Error)?.message ?? e}`;
  }
}

/** Appends Markdown to $GITHUB_STEP_SUMMARY (redacted); a convenience, so a failure is ignored. */
export async function appendStepSummary(path: string, markdown: string): Promise<void> {
  const { appendFile } = process.getBuiltinModule('node:fs/promises');
  try {
    await appendFile(path, redactor.redact(markdown.endsWith('\n') ? markdown : markdown + '\n'));
  } catch {
    // The annotations on stdout are the result.
  }
}
