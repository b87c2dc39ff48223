/**
 * Whose error it is, for the remedies: the class of a failure does not depend on the vendor, but whose
 * console to open does. ModelSwitch's dashboard and apidoctor's account commands are named only when the
 * error is ModelSwitch's (or nobody can tell); another vendor's error points at that vendor's console.
 */

export type VendorId =
  | 'modelswitch'
  | 'local'
  | 'openai'
  | 'azure'
  | 'anthropic'
  | 'google'
  | 'aws'
  | 'openrouter'
  | 'groq'
  | 'mistral'
  | 'deepseek'
  | 'xai'
  | 'together'
  | 'cohere'
  | 'fireworks'
  | 'perplexity';

const CONSOLES: Record<Exclude<VendorId, 'modelswitch' | 'local'>, readonly [string, string]> = {
  openai: ['OpenAI', 'https://platform.openai.com/settings/organization/general'],
  azure: ['Azure OpenAI', 'https://portal.azure.com (the resource’s Keys and Endpoint, Quotas)'],
  anthropic: ['Anthropic', 'https://console.anthropic.com/settings'],
  google: ['Google', 'https://aistudio.google.com/apikey (or the Google Cloud console for Vertex AI)'],
  aws: ['AWS Bedrock', 'the AWS console (IAM, Bedrock model access, Service Quotas)'],
  openrouter: ['OpenRouter', 'https://openrouter.ai/settings/credits'],
  groq: ['Groq', 'https://console.groq.com'],
  mistral: ['Mistral', 'https://console.mistral.ai'],
  deepseek: ['DeepSeek', 'https://platform.deepseek.com'],
  xai: ['xAI', 'https://console.x.ai'],
  together: ['Together AI', 'https://api.together.ai/settings'],
  cohere: ['Cohere', 'https://dashboard.cohere.com'],
  fireworks: ['Fireworks', 'https://fireworks.ai/account'],
  perplexity: ['Perplexity', 'https://www.perplexity.ai/settings/api'],
};

/** The console page for an area, where a vendor has one (else the console above). */
const PAGES: Partial<Record<keyof typeof CONSOLES, Partial<Record<'billing' | 'keys' | 'limits', string>>>> = {
  openai: {
    billing: 'https://platform.openai.com/settings/organization/billing',
    keys: 'https://platform.openai.com/api-keys',
    limits: 'https://platform.openai.com/settings/organization/limits',
  },
  anthropic: {
    billing: 'https://console.anthropic.com/settings/billing',
    keys: 'https://console.anthropic.com/settings/keys',
    limits: 'https://console.anthropic.com/settings/limits',
  },
};

function area(id: string): 'billing' | 'keys' | 'limits' | undefined {
  if (id.startsWith('balance.') || id === 'key.spend-limit') return 'billing';
  if (id.startsWith('auth.') || id.startsWith('key.')) return 'keys';
  if (id.startsWith('rate.')) return 'limits';
  return undefined;
}

/** What ties a remedy to ModelSwitch: its dashboard, its key prefixes, its /api routes, apidoctor's account commands. */
const MODELSWITCH_ONLY = /Dashboard →|\bapidoctor (balance|keys)\b|MODELSWITCH_|\b(ms|mk)-(…|\s)|GET \/api\/|modelswitch/i;

function what(id: string): string {
  if (id.startsWith('balance.') || id === 'key.spend-limit') return 'billing and credit balance';
  if (id.startsWith('auth.') || id.startsWith('key.')) return 'API keys';
  if (id.startsWith('rate.')) return 'rate limits and usage tier';
  if (id.startsWith('access.')) return 'the key’s permissions and the account’s access';
  if (id.startsWith('model.')) return 'models the key can use';
  return 'status page and usage';
}

/** The display name of a vendor (undefined for ModelSwitch and the local machine). */
export function vendorDisplayName(v: string | undefined): string | undefined {
  return v && v in CONSOLES ? CONSOLES[v as keyof typeof CONSOLES][0] : undefined;
}

/** The remedies for an error of `vendor`: unchanged for ModelSwitch (or unknown); another vendor's console otherwise. */
export function remediesFor(id: string, category: string, remedies: string[], vendor: string | undefined): string[] {
  if (!vendor || !(vendor in CONSOLES) || category === 'network' || category === 'timeout') return remedies;
  const [name, console] = CONSOLES[vendor as keyof typeof CONSOLES];
  const a = area(id);
  const url = (a && PAGES[vendor as keyof typeof CONSOLES]?.[a]) ?? console;
  const kept = remedies.filter((r) => !MODELSWITCH_ONLY.test(r));
  const quoted = kept[0] !== undefined && /^(error\.message says|The provider|Fix what error\.message)/.test(kept[0]) ? 1 : 0;
  return [...kept.slice(0, quoted), `This is ${name}’s error, not ModelSwitch’s: check the ${what(id)} at ${url}`, ...kept.slice(quoted)];
}
