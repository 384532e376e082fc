// createFetchDispatcher(): an undici dispatcher whose connections are SchannelSockets, so
// `fetch(url, { dispatcher })` runs over the operating system's TLS.
import type { Agent } from 'undici';
import { clientSettings, connect, type ConnectOptions } from '../tls/connect';
import { invalidArgValue } from '../sspi/errors';
import { validateBoolean, validateObject, validateUint32 } from '../sspi/validate';

export interface FetchDispatcherOptions extends Omit<ConnectOptions, 'host' | 'port' | 'socket' | 'servername'> {
  /** Offer h2 through ALPN (undici's allowH2). Default false: HTTP/1.1 only. */
  allowH2?: boolean;
  /** Passed to undici's Agent (connections per origin, keep-alive timeouts...). */
  connections?: number;
  keepAliveTimeout?: number;
}

export function createFetchDispatcher(options: FetchDispatcherOptions = {}): Agent {
  validateObject(options, 'options');
  const { allowH2 = false, connections, keepAliveTimeout, ...tls } = options;
  validateBoolean(allowH2, 'options.allowH2');
  if (connections !== undefined && connections !== null) validateUint32(connections, 'options.connections', { positive: true });
  if (keepAliveTimeout !== undefined) validateUint32(keepAliveTimeout, 'options.keepAliveTimeout', { positive: true });
  for (const key of ['host', 'port', 'socket', 'servername'] as const) {
    if ((tls as Record<string, unknown>)[key] !== undefined) throw invalidArgValue(`options.${key}`, tls[key], 'is set per request by fetch() and cannot be given here');
  }
  // The TLS options are checked now (and the credential made), not at the first fetch().
  clientSettings(tls);
  // Loaded on first use: undici is large and most programs never call this.
  const { Agent: UndiciAgent } = require('undici') as typeof import('undici');
  return new UndiciAgent({
    allowH2,
    connections,
    keepAliveTimeout,
    connect(connectOptions: any, callback: (error: Error | null, socket: any) => void) {
      const socket = connect({
        ...tls,
        host: connectOptions.hostname,
        port: Number(connectOptions.port) || 443,
        servername: connectOptions.servername || undefined,
        ALPNProtocols: allowH2 ? ['h2', 'http/1.1'] : ['http/1.1'],
      });
      let settled = false;
      socket.once('secureConnect', () => {
        settled = true;
        callback(null, socket);
      });
      socket.once('error', (error) => {
        if (!settled) callback(error, null);
      });
    },
  });
}
