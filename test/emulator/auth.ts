/** Authorization rules of /v1 (proxy keys) and /api (billing keys / dashboard JWT). */
import { type Ctx, sendError } from './http-util.js';
import type { KeyRecord } from './types.js';

/** The bearer token, or undefined when the header is missing or not "Bearer <token>". */
function bearer(ctx: Ctx): string | undefined {
  const h = ctx.req.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer +(\S+)$/i.exec(h);
  return m?.[1];
}

function missingHeader(ctx: Ctx): void {
  sendError(ctx, 401, 'Missing or invalid Authorization header', 'authentication_error', 'invalid_api_key');
}

function invalidKey(ctx: Ctx): void {
  sendError(ctx, 401, 'Invalid API key', 'authentication_error', 'invalid_api_key');
}

/** A 403: one generic body for every cause unless state.descriptive403 (the real docs do not tell causes apart). */
function forbidden(ctx: Ctx, message: string, code: string): void {
  if (ctx.state.descriptive403) sendError(ctx, 403, message, 'invalid_request_error', code);
  else sendError(ctx, 403, 'Access denied', 'invalid_request_error', 'forbidden');
}

/** Check a /v1 request; returns the proxy key record, or undefined after sending the refusal. */
export function authV1(ctx: Ctx): KeyRecord | undefined {
  const { state } = ctx;
  const token = bearer(ctx);
  if (token === undefined) {
    missingHeader(ctx);
    return undefined;
  }
  if (state.billingKeys.includes(token)) {
    forbidden(ctx, 'Billing keys (mk-) cannot be used for inference. Use a proxy key (ms-).', 'wrong_key_type');
    return undefined;
  }
  const key = state.keys.find((k) => k.key === token);
  if (!key) {
    invalidKey(ctx);
    return undefined;
  }
  if (!key.active) {
    forbidden(ctx, 'API key is deactivated', 'key_deactivated');
    return undefined;
  }
  if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= Date.now()) {
    if (state.expiredKeyStatus === 401) sendError(ctx, 401, 'Invalid or expired API key', 'authentication_error', 'invalid_api_key');
    else forbidden(ctx, 'API key has expired', 'key_expired');
    return undefined;
  }
  if (state.spendLimitReached[key.id] === true) {
    forbidden(ctx, 'Spend limit for this API key has been reached', 'spend_limit_reached');
    return undefined;
  }
  if (state.balance <= 0) {
    if (state.balanceStatus === 402)
      sendError(ctx, 402, 'Account balance is insufficient', 'invalid_request_error', 'insufficient_balance');
    else forbidden(ctx, 'Insufficient balance. Top up in Dashboard → Billing.', 'insufficient_balance');
    return undefined;
  }
  return key;
}

/** Routes the docs show with a dashboard JWT rather than an mk- key. */
function isJwtRoute(pathname: string): boolean {
  return pathname === '/api/balance' || pathname === '/api/transactions' || pathname === '/api/usage' || pathname.startsWith('/api/usage/');
}

/** Check an /api request; true when it may proceed (else the refusal was sent). */
export function authApi(ctx: Ctx): boolean {
  const { state } = ctx;
  const token = bearer(ctx);
  if (token === undefined) {
    missingHeader(ctx);
    return false;
  }
  if (state.jwtTokens.includes(token)) return true;
  if (state.billingKeys.includes(token)) {
    if (state.jwtOnlyRoutes && isJwtRoute(ctx.pathname)) {
      sendError(ctx, 401, 'Invalid or expired token', 'authentication_error', 'invalid_token');
      return false;
    }
    return true;
  }
  if (state.keys.some((k) => k.key === token)) {
    forbidden(ctx, 'Proxy keys (ms-) cannot be used for account management. Use a billing key (mk-).', 'wrong_key_type');
    return false;
  }
  invalidKey(ctx);
  return false;
}
