/**
 * Logs made of what SDKs and apps print (Python tracebacks, openai-node's printed errors, Java's
 * exceptions, transport error names), grouped by what the error text readers of src/readers/ read
 * in each error. These depend on those readers (the texts branch): with the stub readers of the seam
 * commit they fail; after the merge they must pass.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/logs');
type Group = { id: string; category: string; count: number; firstLine: number; example: string };
const groups = (doc: Record<string, any>) => (doc.groups as Group[]).map((g) => [g.category, g.count]);

describe('logs of SDK errors, grouped by what each error text says', () => {
  it('Python logging with openai tracebacks: insufficient_quota inside a RateLimitError is the balance (×2), the chained connection error is the network (×1); exit 5', async () => {
    const r = await runCli(['explain', join(FIXTURES, 'python-traceback.log'), '--json']);
    const doc = r.json();
    expect(doc.errors).toBe(3);
    expect(groups(doc)).toEqual([
      ['balance', 2],
      ['network', 1],
    ]);
    expect(doc.groups[0].id).toBe('balance.insufficient');
    expect(doc.groups[1].id).toMatch(/^network\./);
    expect(r.code).toBe(5);
  });

  it("openai-node errors printed with their fields: the 429 and the 502, one each; a tie goes to the rate limit before the server (doctor's order)", async () => {
    const r = await runCli(['explain', join(FIXTURES, 'node-stack.log'), '--json']);
    const doc = r.json();
    expect(doc.errors).toBe(2);
    expect(groups(doc)).toEqual([
      ['rate_limit', 1],
      ['server', 1],
    ]);
    expect(doc.groups[0]).toMatchObject({ id: 'rate.limited', firstLine: 5 });
    expect(r.code).toBe(6);
  });

  it('Java: a RateLimitException and a SocketTimeoutException under "Caused by:" — the timeout first in a tie (network before rate limit)', async () => {
    const r = await runCli(['explain', join(FIXTURES, 'java.log'), '--json']);
    const doc = r.json();
    expect(doc.errors).toBe(2);
    expect(doc.groups.map((g: Group) => g.id)).toEqual(['network.timeout', 'rate.limited']);
    expect(r.code).toBe(8);
  });

  it('winston: the ECONNREFUSED line is a refused connection', async () => {
    const r = await runCli(['explain', join(FIXTURES, 'winston.jsonl'), '--json']);
    expect(r.json().groups.map((g: Group) => [g.id, g.count])).toEqual([
      ['balance.insufficient', 2],
      ['network.refused', 1],
    ]);
  });

  it('one stray reset among 50 quota errors does not headline the network', async () => {
    const quota = `openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check your plan and billing details.', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}`;
    const lines = Array.from({ length: 50 }, (_, i) => `2024-05-01 12:00:${String(i).padStart(2, '0')},000 ERROR worker: ${quota}`);
    lines.splice(20, 0, '2024-05-01 12:00:20,500 ERROR worker: Error: read ECONNRESET');
    const r = await runCli(['explain', '-', '--json'], { stdin: lines.join('\n') });
    const doc = r.json();
    expect(doc.groups.map((g: Group) => [g.id, g.count])).toEqual([
      ['balance.insufficient', 50],
      ['network.reset', 1],
    ]);
    expect(r.code).toBe(5);
  });

  it('a mixed plain log of SDK lines (Python, Node, Go, axios) with INFO lines between them', async () => {
    const log = [
      '2024-05-01 12:00:00,000 INFO app: start',
      "openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o on requests per min (RPM): Limit 3, Used 3, Requested 1.', 'type': 'requests', 'param': None, 'code': 'rate_limit_exceeded'}}",
      '2024-05-01 12:00:01,000 INFO httpx: HTTP Request: POST https://api.openai.com/v1/chat/completions "HTTP/1.1 429 Too Many Requests"',
      'Error: 401 Incorrect API key provided: sk-proj-****abcd. You can find your API key at https://platform.openai.com/account/api-keys.',
      'error, status code: 429, status: 429 Too Many Requests, message: Rate limit reached for requests',
      'AxiosError: Request failed with status code 401',
      '2024-05-01 12:00:02,000 INFO app: done',
    ].join('\n');
    const r = await runCli(['explain', '-', '--json'], { stdin: log });
    const doc = r.json();
    expect(doc.errors).toBe(5);
    expect(doc.groups.map((g: Group) => [g.id, g.count])).toEqual([
      ['rate.limited', 3],
      ['auth.invalid-key', 2],
    ]);
    expect(r.code).toBe(6);
  });
});
