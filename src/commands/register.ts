import { Option, type Command } from 'commander';
import { helpText, optionsOf, defaultShown, type OptionScope } from '../config/options.js';

// What a command module needs from the entry (src/entry/cli.ts) to plug itself in: the shape of its
// `register`, and its options made from the option table. Commands import this, never the entry.

export type { Register, Runner } from './context.js';

/** Adds to `cmd` the options of `scope`, as the option table (src/config/options.ts) describes them. */
export function withOptions(cmd: Command, scope: OptionScope): Command {
  for (const spec of optionsOf(scope)) {
    const option = new Option(spec.flags, helpText(spec));
    if (spec.required) option.makeOptionMandatory();
    if (spec.repeatable) option.argParser((v: string, acc: string[] | undefined) => [...(acc ?? []), v]);
    // A setting's default is resolve's to apply (help states it); any other's is commander's, shown as a person reads it.
    if (spec.defaultValue !== undefined && !spec.setting && !spec.scopes.includes('global'))
      option.default(spec.defaultValue, defaultShown(spec));
    cmd.addOption(option);
    // An empty list when never given, not shown in help as a default ("(default: [])").
    if (spec.repeatable) cmd.setOptionValueWithSource(option.attributeName(), [], 'default');
  }
  return cmd;
}
