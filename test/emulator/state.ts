/** Default account of the emulator: keys, balance, models, usage history. */
import type { EmulatorState, KeyRecord, ModelEntry, PublicKeyRecord, Transaction, UsageEntry } from './types.js';

/** Keys the tests use. Only proxy, proxyInactive and billing exist on the default account. */
export const KEYS = {
  /** id 1 "Production", active, expires in 30 days. */
  proxy: 'ms-test0good0key0a1b2c3d4e5f6a7b8c9',
  /** id 2 "Staging", inactive → 403 on /v1. */
  proxyInactive: 'ms-test0inactive0b2c3d4e5f6a7b8c9d0',
  /** Well-formed but not on the account → 401 "Invalid API key". */
  proxyUnknown: 'ms-test0unknown00c3d4e5f6a7b8c9d0e1',
  /** The account's billing key. */
  billing: 'mk-test0billing00d4e5f6a7b8c9d0e1f2',
  /** Well-formed billing key not on the account → 401 on /api. */
  billingUnknown: 'mk-test0unknown00e5f6a7b8c9d0e1f2a3',
  /** A dashboard session token: accepted on every /api route (also with jwtOnlyRoutes), 401 on /v1. */
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZXN0QGV4YW1wbGUuY29tIn0.ZW11bGF0b3Itc2lnbmF0dXJl',
} as const;

/** Length of `prefix` in key records, like "ms-abc1xxxx" in the docs. */
export const PREFIX_LENGTH = 11;

const DAY = 86_400_000;

/** The record the API shows for a stored key (no full key). */
export function publicKey(k: KeyRecord): PublicKeyRecord {
  const out: PublicKeyRecord = { id: k.id, name: k.name, prefix: k.key.slice(0, PREFIX_LENGTH), active: k.active, createdAt: k.createdAt };
  if (k.expiresAt !== undefined) out.expiresAt = k.expiresAt;
  return out;
}

/** Embedding width per model id (others: 1536). */
export const EMBEDDING_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** True for models served by /v1/embeddings rather than chat. */
export function isEmbeddingModel(id: string): boolean {
  return id.includes('embedding');
}

function defaultModels(): ModelEntry[] {
  const m = (id: string, owned_by: string, prompt: number, completion?: number): ModelEntry => {
    const e: ModelEntry = { id, object: 'model', created: 1_715_367_049, owned_by, prompt_price_per_1M: prompt };
    if (completion !== undefined) e.completion_price_per_1M = completion;
    return e;
  };
  return [
    m('gpt-4o', 'openai', 2.5, 10),
    m('gpt-4o-mini', 'openai', 0.15, 0.6),
    m('claude-sonnet-4', 'anthropic', 3, 15),
    m('text-embedding-3-small', 'openai', 0.02),
    m('text-embedding-3-large', 'openai', 0.13),
  ];
}

/** 60 usage records spread over the last 7 days (so limit=50 pages), with matching transactions plus a top-up and a refund. */
function history(now: number): { usage: UsageEntry[]; transactions: Transaction[] } {
  const usage: UsageEntry[] = [];
  const models: Array<[string, number, number]> = [
    ['gpt-4o', 2.5, 10],
    ['gpt-4o-mini', 0.15, 0.6],
    ['claude-sonnet-4', 3, 15],
  ];
  const count = 60;
  for (let i = 0; i < count; i++) {
    // newest first: i=0 is 5 minutes ago, the oldest about 6.9 days ago
    const at = now - 5 * 60_000 - i * Math.floor((6.9 * DAY) / count);
    const [model, pIn, pOut] = models[i % models.length] ?? ['gpt-4o', 2.5, 10];
    const promptTokens = 400 + ((i * 137) % 900);
    const completionTokens = 100 + ((i * 61) % 400);
    const chargedAmount = Number(((promptTokens * pIn + completionTokens * pOut) / 1e6).toFixed(6));
    usage.push({ id: count - i, model, promptTokens, completionTokens, chargedAmount, createdAt: new Date(at).toISOString() });
  }
  const tx: Array<Omit<Transaction, 'id'>> = usage.map((u) => ({
    amount: -u.chargedAmount,
    type: 'usage' as const,
    description: `${u.model} inference`,
    createdAt: u.createdAt,
  }));
  tx.push({ amount: 0.5, type: 'refund', description: 'Refund for failed request', createdAt: new Date(now - 2 * DAY).toISOString() });
  tx.push({ amount: 50, type: 'payment', description: 'Balance top-up', createdAt: new Date(now - 6.95 * DAY).toISOString() });
  tx.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const transactions = tx.map((t, i) => ({ id: tx.length - i, ...t }));
  return { usage, transactions };
}

/** A fresh default state, with times relative to `now`. */
export function defaultState(now: number = Date.now()): EmulatorState {
  const keys: KeyRecord[] = [
    {
      id: 1,
      name: 'Production',
      key: KEYS.proxy,
      active: true,
      createdAt: new Date(now - 90 * DAY).toISOString(),
      expiresAt: new Date(now + 30 * DAY).toISOString(),
    },
    { id: 2, name: 'Staging', key: KEYS.proxyInactive, active: false, createdAt: new Date(now - 60 * DAY).toISOString() },
  ];
  return {
    balance: 42.5,
    balanceStatus: 403,
    keys,
    billingKeys: [KEYS.billing],
    jwtTokens: [KEYS.jwt],
    spendLimitReached: {},
    expiredKeyStatus: 403,
    descriptive403: false,
    jwtOnlyRoutes: false,
    models: defaultModels(),
    ...history(now),
    delayMs: 0,
    streamIntervalMs: 5,
    completionText: 'Hello! This is the ModelSwitch emulator answering your request.',
    failures: [],
  };
}
