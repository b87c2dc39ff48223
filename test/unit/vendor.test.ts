/** Another vendor's error: its console's page for that area, and no ModelSwitch-only step. */
import { describe, expect, it } from 'vitest';
import { remediesFor } from '../../src/diagnosis/vendor.js';

describe('remedies for another vendor’s error', () => {
  it('name the console page of the area: keys, billing, limits', () => {
    expect(remediesFor('auth.invalid-key', 'auth', ['Keys are case-sensitive'], 'openai')[0]).toContain(
      'https://platform.openai.com/api-keys',
    );
    expect(remediesFor('balance.insufficient', 'balance', [], 'openai')[0]).toContain(
      'https://platform.openai.com/settings/organization/billing',
    );
    expect(remediesFor('rate.limited', 'rate_limit', [], 'anthropic')[0]).toContain('https://console.anthropic.com/settings/limits');
    expect(remediesFor('server.error', 'server', [], 'anthropic')[0]).toContain('https://console.anthropic.com/settings');
  });
  it('drop steps that only make sense for ModelSwitch (its key prefixes, its dashboard)', () => {
    const out = remediesFor(
      'auth.invalid-key',
      'auth',
      [
        'Check the prefix: ms- for inference (/v1), mk- for account endpoints (/api)',
        'Create one in Dashboard → API Keys',
        'Keys are case-sensitive',
      ],
      'openai',
    );
    expect(out.join('\n')).not.toMatch(/ms- for inference|Dashboard →/);
    expect(out).toContain('Keys are case-sensitive');
  });
  it('leave ModelSwitch’s own errors as they are', () => {
    const r = ['Check the prefix: ms- for inference (/v1), mk- for account endpoints (/api)'];
    expect(remediesFor('auth.invalid-key', 'auth', r, 'modelswitch')).toEqual(r);
  });
});
