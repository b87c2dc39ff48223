/**
 * Whose error it is: ModelSwitch, another vendor (told by the host, the envelope or the wording), or the
 * local network. The class stays the same; the remedies say whose console to open (src/diagnosis/vendor.ts).
 */
import type { VendorId } from '../diagnosis/vendor.js';

const HOSTS: ReadonlyArray<readonly [RegExp, VendorId]> = [
  [/(^|\.)modelswitch\.io$/i, 'modelswitch'],
  [/\.openai\.azure\.com$|\.cognitiveservices\.azure\.com$|\.services\.ai\.azure\.com$/i, 'azure'],
  [/(^|\.)openai\.com$/i, 'openai'],
  [/(^|\.)anthropic\.com$/i, 'anthropic'],
  [/(^|\.)(generativelanguage|aiplatform)\.googleapis\.com$|(^|\.)cloudcode-pa\.googleapis\.com$/i, 'google'],
  [/(^|\.)bedrock(-runtime)?[\w.-]*\.amazonaws\.com$/i, 'aws'],
  [/(^|\.)openrouter\.ai$/i, 'openrouter'],
  [/(^|\.)groq\.com$/i, 'groq'],
  [/(^|\.)mistral\.ai$/i, 'mistral'],
  [/(^|\.)deepseek\.com$/i, 'deepseek'],
  [/(^|\.)x\.ai$/i, 'xai'],
  [/(^|\.)together\.(xyz|ai)$/i, 'together'],
  [/(^|\.)cohere\.(com|ai)$/i, 'cohere'],
  [/(^|\.)fireworks\.ai$/i, 'fireworks'],
  [/(^|\.)perplexity\.ai$/i, 'perplexity'],
];

/** Wording or envelopes only one vendor writes. */
const WORDS: ReadonlyArray<readonly [RegExp, VendorId]> = [
  [/modelswitch/i, 'modelswitch'],
  [
    /\bAzure OpenAI\b|\bDeploymentNotFound\b|\.openai\.azure\.com|API deployment for this resource does not exist|invalid subscription key or wrong API endpoint|\bazure\b[^\n]{0,40}\bopenai\b/i,
    'azure',
  ],
  [
    /platform\.openai\.com|help\.openai\.com|You exceeded your current quota, please check your plan and billing details|Incorrect API key provided|in organization org-\w|does not exist or you do not have access to it|This model's maximum context length is|unsupported_country_region_territory|billing_hard_limit_reached/i,
    'openai',
  ],
  [
    /console\.anthropic\.com|docs\.anthropic\.com|Your credit balance is too low to access the Anthropic API|\bx-api-key\b|\boverloaded_error\b|["']type["']\s*:\s*["']error["']\s*,\s*["']error["']\s*:/i,
    'anthropic',
  ],
  [
    /aistudio\.google\.com|ai\.google\.dev|generativelanguage\.googleapis\.com|type\.googleapis\.com\/google\.rpc|GoogleGenerativeAI|google\.api_core|google\.genai|["']status["']\s*:\s*["'](RESOURCE_EXHAUSTED|PERMISSION_DENIED|UNAUTHENTICATED|INVALID_ARGUMENT)["']/i,
    'google',
  ],
  [/openrouter\.ai/i, 'openrouter'],
  [/console\.groq\.com/i, 'groq'],
];

/** The host of the first URL or host= in the text (never the path or credentials). */
export function hostFromText(text: string): string | undefined {
  const head = text.length > 32_768 ? text.slice(0, 32_768) : text;
  const m =
    /\bhttps?:\/\/(?:[^\s/@'"]+@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,}|localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\])/i.exec(head) ??
    /\bhost=['"]?([A-Za-z0-9.-]+)/.exec(head) ??
    /\b(?:Cannot connect to host|getaddrinfo \w+|lookup|Could not resolve host:?|Failed to connect to)\s+([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/i.exec(
      head,
    );
  return m?.[1]?.toLowerCase();
}

const LOCAL = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0)$/i;

/** Whose error: a vendor id, or undefined when the text does not tell. */
export function vendorOf(
  text: string,
  host: string | undefined,
  network: boolean,
): { vendor?: VendorId; why?: string; upstream?: VendorId } {
  if (host) {
    for (const [re, v] of HOSTS) {
      if (!re.test(host)) continue;
      // ModelSwitch relaying a provider's error: still ModelSwitch's to settle (its balance, its keys), the provider named
      const relayed = v === 'modelswitch' ? WORDS.find(([w, u]) => u !== 'modelswitch' && w.test(text.slice(0, 32_768)))?.[1] : undefined;
      return { vendor: v, why: `the host ${host}`, ...(relayed ? { upstream: relayed } : {}) };
    }
    if (network && LOCAL.test(host)) return { vendor: 'local', why: `the host ${host} (this machine)` };
  }
  const head = text.length > 32_768 ? text.slice(0, 32_768) : text;
  for (const [re, v] of WORDS) {
    const m = re.exec(head);
    if (m) return { vendor: v, why: `the words “${m[0].slice(0, 60)}”` };
  }
  return {};
}
