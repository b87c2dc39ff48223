import type { ResolvedConfig } from '../config/resolve.js';
import type { Api } from '../api/api.js';
import type { ProxyChoice } from '../http/proxy.js';

/** What the doctor's checks work with. */
export interface DoctorContext {
  config: ResolvedConfig;
  api: Api;
  env: NodeJS.ProcessEnv;
  cwd: string;
  proxy: ProxyChoice;
  minBalance: number;
  /** The user gave --min-balance (otherwise it is doctor's default). */
  minBalanceSet?: boolean;
  model?: string;
  live: boolean;
  timeoutMs: number;
  /** Says something on stderr before a check that costs money. */
  announce(text: string): void;
}
