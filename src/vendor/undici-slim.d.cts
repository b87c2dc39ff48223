import type { Dispatcher } from 'undici';
export { ProxyAgent, buildConnector } from 'undici';
/** undici's request(url, opts), with the dispatcher required. */
export declare function request(url: string | URL, opts: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData>;
