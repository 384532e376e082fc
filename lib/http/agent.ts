// SchannelAgent: an https.Agent whose connections are SchannelSockets, for https.request/https.get
// and every library that takes an `agent`.
import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectOptions } from '../tls/connect';
import { canonical, identityId } from '../tls/credential-cache';

// The options this package adds to node:tls's. https.Agent pools sockets by getName(), which knows
// only node:tls's options: without these in the name, a request asking for another client
// certificate, revocation mode or security level would be handed a pooled socket made with the
// first one's.
const ownOptions = ['certificate', 'clientCertificate', 'revocation', 'securityLevel', 'checkServerIdentity'] as const;

export type SchannelAgentOptions = AgentOptions & Omit<ConnectOptions, keyof AgentOptions>;

export class SchannelAgent extends Agent {
  readonly #tlsOptions: SchannelAgentOptions;

  constructor(options: SchannelAgentOptions = {}) {
    super(options);
    this.#tlsOptions = options;
  }

  override getName(options?: any): string {
    const name = super.getName(options);
    if (options === null || typeof options !== 'object') return name;
    const own = ownOptions.filter((key) => options[key] !== undefined).map((key) => `${key}=${canonical(options[key])}`);
    // A secureContext is told apart by identity: it has no options of its own to compare, and
    // node:tls leaves it out of the name, so two requests with different contexts could share a socket.
    if (options.secureContext !== null && typeof options.secureContext === 'object') own.push(`secureContext=#${identityId(options.secureContext)}`);
    return own.length === 0 ? name : `${name}:schannel:${own.join(';')}`;
  }

  // http.Agent calls createConnection(options, callback) and uses a socket it returns at once.
  override createConnection(options: any, callback?: (error: Error | null, socket: Duplex) => void): Duplex {
    const merged: ConnectOptions = { ...this.#tlsOptions, ...options };
    // https sets servername to '' for IP hosts; Schannel sends no SNI then.
    if (merged.servername === '') delete merged.servername;
    delete merged.timeout; // the agent's socket timeout is applied by http itself
    const socket = connect(merged);
    if (callback) {
      const onError = (error: Error) => callback(error, socket);
      socket.once('error', onError);
      socket.once('secureConnect', () => socket.removeListener('error', onError));
    }
    return socket;
  }
}
