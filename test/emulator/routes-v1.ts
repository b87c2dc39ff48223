/** /v1 inference routes: models, chat completions (plain and SSE), embeddings. */
import { randomBytes } from 'node:crypto';
import { authV1 } from './auth.js';
import { type Ctx, methodNotAllowed, notFound, now, parseJsonObject, sendError, sendJson, sleep, writeChunk } from './http-util.js';
import { EMBEDDING_DIMENSIONS, isEmbeddingModel } from './state.js';

/** The completion text split into tokens (a word with its trailing space). */
export function contentWords(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

/** One chat.completion.chunk as the docs show it. */
export function sseChunk(id: string, created: number, model: string, delta: Record<string, unknown>, finishReason: string | null): object {
  return { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function badParam(ctx: Ctx, message: string): void {
  sendError(ctx, 400, message, 'invalid_request_error', 'invalid_request');
}

function modelNotFound(ctx: Ctx, model: string): void {
  sendError(ctx, 404, `Model '${model}' not found`, 'invalid_request_error', 'model_not_found');
}

async function chatCompletions(ctx: Ctx): Promise<void> {
  const body = parseJsonObject(ctx);
  if (!body) return;
  const { model, messages, max_tokens: maxTokens, n, stream } = body;
  if (typeof model !== 'string' || model === '') return badParam(ctx, "'model' is required and must be a string");
  if (!Array.isArray(messages) || messages.length === 0) return badParam(ctx, "'messages' is required and must be a non-empty array");
  let promptText = '';
  for (const [i, m] of messages.entries()) {
    const msg = m as { role?: unknown; content?: unknown } | null;
    if (msg === null || typeof msg !== 'object') return badParam(ctx, `messages[${i}] must be an object`);
    if (typeof msg.role !== 'string' || !['system', 'user', 'assistant', 'tool', 'developer'].includes(msg.role)) {
      return badParam(ctx, `messages[${i}].role must be one of system, user, assistant`);
    }
    if (typeof msg.content !== 'string' && !Array.isArray(msg.content)) return badParam(ctx, `messages[${i}].content must be a string`);
    promptText += typeof msg.content === 'string' ? msg.content : JSON.stringify(msg.content);
  }
  if (maxTokens !== undefined && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)) {
    return badParam(ctx, "'max_tokens' must be a positive integer");
  }
  if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 8))
    return badParam(ctx, "'n' must be an integer from 1 to 8");
  if (stream !== undefined && typeof stream !== 'boolean') return badParam(ctx, "'stream' must be a boolean");
  if (!ctx.state.models.some((m) => m.id === model)) return modelNotFound(ctx, model);
  if (isEmbeddingModel(model)) return badParam(ctx, `Model '${model}' does not support chat completions`);

  const all = contentWords(ctx.state.completionText);
  const words = maxTokens === undefined ? all : all.slice(0, maxTokens);
  const finishReason = words.length < all.length ? 'length' : 'stop';
  const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const promptTokens = estimateTokens(promptText) + 3 * messages.length;

  if (stream !== true) {
    const choices = Array.from({ length: typeof n === 'number' ? n : 1 }, (_, index) => ({
      index,
      message: { role: 'assistant', content: words.join('') },
      finish_reason: finishReason,
    }));
    const completionTokens = words.length * choices.length;
    sendJson(ctx, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices,
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
    return;
  }

  const { res, entry, signal } = ctx;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  entry.chunksWrittenAt = [];
  const events: string[] = [
    JSON.stringify(sseChunk(id, created, model, { role: 'assistant', content: '' }, null)),
    ...words.map((w) => JSON.stringify(sseChunk(id, created, model, { content: w }, null))),
    JSON.stringify(sseChunk(id, created, model, {}, finishReason)),
    '[DONE]',
  ];
  for (const [i, data] of events.entries()) {
    if (i > 0 && !(await sleep(ctx.state.streamIntervalMs, signal))) return;
    if (!(await writeChunk(res, `data: ${data}\n\n`, signal))) return;
    entry.chunksWrittenAt.push(now());
  }
  res.end();
}

/** A deterministic unit vector for a text (FNV-1a seed, xorshift stream). */
function vectorFor(text: string, dims: number): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  let x = h || 1;
  const v: number[] = [];
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const f = x / 0xffffffff - 0.5;
    v.push(f);
    norm += f * f;
  }
  const k = 1 / Math.sqrt(norm || 1);
  return v.map((f) => Number((f * k).toFixed(7)));
}

function embeddings(ctx: Ctx): void {
  const body = parseJsonObject(ctx);
  if (!body) return;
  const { model, input, encoding_format: format } = body;
  if (typeof model !== 'string' || model === '') return badParam(ctx, "'model' is required and must be a string");
  const inputs: string[] | undefined =
    typeof input === 'string'
      ? [input]
      : Array.isArray(input) && input.length > 0 && input.every((s) => typeof s === 'string')
        ? input
        : undefined;
  if (inputs === undefined) return badParam(ctx, "'input' is required and must be a string or a non-empty array of strings");
  if (format !== undefined && format !== 'float' && format !== 'base64')
    return badParam(ctx, "'encoding_format' must be 'float' or 'base64'");
  if (!ctx.state.models.some((m) => m.id === model)) return modelNotFound(ctx, model);
  if (!isEmbeddingModel(model)) return badParam(ctx, `Model '${model}' does not support embeddings`);
  const dims = EMBEDDING_DIMENSIONS[model] ?? 1536;
  const data = inputs.map((text, index) => {
    const vec = vectorFor(text, dims);
    const embedding = format === 'base64' ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec;
    return { object: 'embedding', index, embedding };
  });
  const tokens = inputs.reduce((sum, t) => sum + estimateTokens(t), 0);
  sendJson(ctx, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

const ROUTES: Record<string, Record<string, (ctx: Ctx) => void | Promise<void>>> = {
  '/v1/models': { GET: (ctx) => sendJson(ctx, 200, { object: 'list', data: ctx.state.models }) },
  '/v1/chat/completions': { POST: chatCompletions },
  '/v1/embeddings': { POST: embeddings },
};

/** Handle a /v1/* request: auth first, then the route. */
export async function handleV1(ctx: Ctx): Promise<void> {
  if (!authV1(ctx)) return;
  const modelId = /^\/v1\/models\/(.+)$/.exec(ctx.pathname)?.[1];
  if (modelId !== undefined && ctx.method === 'GET') {
    const id = decodeURIComponent(modelId);
    const found = ctx.state.models.find((m) => m.id === id);
    return found ? sendJson(ctx, 200, found) : modelNotFound(ctx, id);
  }
  const route = ROUTES[ctx.pathname];
  if (!route) return notFound(ctx);
  const handler = route[ctx.method];
  if (!handler) return methodNotAllowed(ctx, Object.keys(route));
  await handler(ctx);
}
