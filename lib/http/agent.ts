// SchannelAgent: an https.Agent whose connections are SchannelSockets, for https.request/https.get
// and every library that takes an `agent`.
import { Agent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectOptions } from '../tls/connect';

export type SchannelAgentOptions = AgentOptions & Omit<ConnectOptions, keyof AgentOptions>;

export class SchannelAgent extends Agent {
  readonly #tlsOptions: SchannelAgentOptions;

  constructor(options: SchannelAgentOptions = {}) {
    super(options);
    this.#tlsOptions = options;
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
