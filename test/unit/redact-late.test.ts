/**
 * What the attacker's trial found past the first round: a key encoded without its kind prefix, a key's
 * encoding cut before it was masked, a password in the base URL.
 */
import { describe, expect, it } from 'vitest';
import { Redactor, redactor } from '../../src/core/redact.js';
import { failureWhy } from '../../src/checks/api.js';
import { resolveConfig } from '../../src/config/resolve.js';

const KEY = 'ms-abcdef0123456789abcdef0123456789';

describe('redaction, late findings', () => {
  it('masks the base64, base64url and hex of the secret part alone (without ms-), at every alignment', () => {
    const r = new Redactor();
    r.add(KEY);
    const body = KEY.slice(3);
    for (const pad of ['', 'x', 'xy']) {
      const b64 = Buffer.from(pad + body).toString('base64');
      const out = r.redact(`echo=${b64}`);
      expect(out).not.toContain(Buffer.from(body).toString('base64').slice(4, 30));
    }
  });

  it("doctor's row masks a message before cutting it, so no cut-off part of an encoded key is left", () => {
    redactor.add(KEY);
    const b64 = Buffer.from(KEY).toString('base64');
    const why = failureWhy({
      kind: 'http',
      status: 401,
      headers: {},
      attempts: [],
      message: `V1=<${b64}> is not a valid key, and a long tail of words follows it here`,
    });
    expect(why).not.toContain(b64.slice(0, 16));
  });

  it('a password in the base URL is masked in every output', async () => {
    await resolveConfig(
      { baseUrl: 'http://user:hunter2pw@127.0.0.1:9/' },
      {},
      { cwd: '/nonexistent-apidoctor-test', needs: ['baseUrl'] },
    ).catch(() => undefined);
    expect(redactor.redact('keys may go to http://user:hunter2pw@127.0.0.1:9')).not.toContain('hunter2pw');
  });
});
