/** /api account routes: balance, key CRUD, usage, transactions. */
import { randomBytes } from 'node:crypto';
import { authApi } from './auth.js';
import { type Ctx, methodNotAllowed, notFound, parseJsonObject, sendError, sendJson } from './http-util.js';
import { publicKey } from './state.js';
import type { KeyRecord } from './types.js';

function badParam(ctx: Ctx, message: string): void {
  sendError(ctx, 400, message, 'invalid_request_error', 'invalid_request');
}

/** limit (default 50, max 50) and offset (default 0) from the query; undefined after a 400. */
function page(ctx: Ctx): { limit: number; offset: number } | undefined {
  const parse = (name: string, dflt: number): number | undefined => {
    const raw = ctx.query.get(name);
    if (raw === null || raw === '') return dflt;
    const n = Number(raw);
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  };
  const limit = parse('limit', 50);
  const offset = parse('offset', 0);
  if (limit === undefined || limit === 0) return void badParam(ctx, "'limit' must be an integer from 1 to 50");
  if (offset === undefined) return void badParam(ctx, "'offset' must be a non-negative integer");
  return { limit: Math.min(limit, 50), offset };
}

function listKeys(ctx: Ctx): void {
  sendJson(ctx, 200, { keys: ctx.state.keys.map(publicKey) });
}

function createKey(ctx: Ctx): void {
  const body = parseJsonObject(ctx);
  if (!body) return;
  const { name, expires_at: expiresAt } = body;
  if (typeof name !== 'string' || name.trim() === '') return badParam(ctx, "'name' is required and must be a non-empty string");
  if (expiresAt !== undefined && expiresAt !== null) {
    if (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt))) return badParam(ctx, "'expires_at' must be an ISO 8601 date");
    if (Date.parse(expiresAt) <= Date.now()) return badParam(ctx, "'expires_at' must be in the future");
  }
  const id = ctx.state.keys.reduce((max, k) => Math.max(max, k.id), 0) + 1;
  const record: KeyRecord = { id, name, key: `ms-${randomBytes(16).toString('hex')}`, active: true, createdAt: new Date().toISOString() };
  if (typeof expiresAt === 'string') record.expiresAt = new Date(expiresAt).toISOString();
  ctx.state.keys.push(record);
  sendJson(ctx, 200, { id, key: record.key });
}

function findKey(ctx: Ctx, rawId: string): KeyRecord | undefined {
  const key = /^\d+$/.test(rawId) ? ctx.state.keys.find((k) => k.id === Number(rawId)) : undefined;
  if (!key) sendError(ctx, 404, `API key ${rawId} not found`, 'invalid_request_error', 'not_found');
  return key;
}

function updateKey(ctx: Ctx, rawId: string): void {
  const key = findKey(ctx, rawId);
  if (!key) return;
  const body = parseJsonObject(ctx);
  if (!body) return;
  const { name, active } = body;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) return badParam(ctx, "'name' must be a non-empty string");
  if (active !== undefined && typeof active !== 'boolean') return badParam(ctx, "'active' must be a boolean");
  if (typeof name === 'string') key.name = name;
  if (typeof active === 'boolean') key.active = active;
  sendJson(ctx, 200, publicKey(key));
}

function deleteKey(ctx: Ctx, rawId: string): void {
  const key = findKey(ctx, rawId);
  if (!key) return;
  ctx.state.keys.splice(ctx.state.keys.indexOf(key), 1);
  sendJson(ctx, 200, { deleted: true });
}

function usageStats(ctx: Ctx): void {
  const byModel = new Map<string, { model: string; requests: number; tokens: number; spend: number }>();
  let totalTokens = 0;
  let totalSpend = 0;
  for (const u of ctx.state.usage) {
    const m = byModel.get(u.model) ?? { model: u.model, requests: 0, tokens: 0, spend: 0 };
    m.requests += 1;
    m.tokens += u.promptTokens + u.completionTokens;
    m.spend += u.chargedAmount;
    byModel.set(u.model, m);
    totalTokens += u.promptTokens + u.completionTokens;
    totalSpend += u.chargedAmount;
  }
  const round = (x: number): number => Number(x.toFixed(6));
  sendJson(ctx, 200, {
    stats: { totalRequests: ctx.state.usage.length, totalTokens, totalSpend: round(totalSpend) },
    byModel: [...byModel.values()].map((m) => ({ ...m, spend: round(m.spend) })),
  });
}

/** Handle an /api/* request: auth first, then the route. */
export function handleApi(ctx: Ctx): void {
  if (!authApi(ctx)) return;
  const { method, pathname } = ctx;
  const only = (allowed: string, fn: () => void): void => (method === allowed ? fn() : methodNotAllowed(ctx, [allowed]));
  switch (pathname) {
    case '/api/balance':
      return only('GET', () => sendJson(ctx, 200, { balance: ctx.state.balance }));
    case '/api/keys':
      if (method === 'GET') return listKeys(ctx);
      if (method === 'POST') return createKey(ctx);
      return methodNotAllowed(ctx, ['GET', 'POST']);
    case '/api/usage':
      return only('GET', () => {
        const p = page(ctx);
        if (p) sendJson(ctx, 200, { usage: ctx.state.usage.slice(p.offset, p.offset + p.limit) });
      });
    case '/api/usage/stats':
      return only('GET', () => usageStats(ctx));
    case '/api/transactions':
      return only('GET', () => {
        const p = page(ctx);
        if (p) sendJson(ctx, 200, { transactions: ctx.state.transactions.slice(p.offset, p.offset + p.limit) });
      });
  }
  const keyId = /^\/api\/keys\/([^/]+)$/.exec(pathname)?.[1];
  if (keyId !== undefined) {
    if (method === 'PUT') return updateKey(ctx, keyId);
    if (method === 'DELETE') return deleteKey(ctx, keyId);
    return methodNotAllowed(ctx, ['PUT', 'DELETE']);
  }
  notFound(ctx);
}
