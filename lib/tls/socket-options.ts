// The checks new SchannelSocket(options) runs before it touches anything. connect() and
// createServer() build these options themselves, but the class is public, so a caller wrapping
// their own transport gets Node's argument errors here rather than a failure deep in a callback.
import { invalidArgType } from '../sspi/errors';
import { validateArray, validateBoolean, validateFunction, validateObject, validateOneOf, validateString } from '../sspi/validate';
import { revocationModes } from '../certs/verify';
import type { SchannelSocketOptions } from './socket';
import { validateSecurityLevel } from '../certs/strength';

const protocolNames = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3'] as const;
// What the socket calls on its transport: the Duplex surface a net.Socket or any stream.Duplex has.
const transportMethods = ['on', 'once', 'write', 'end', 'destroy', 'pause', 'resume'] as const;

function optional<T>(options: Record<string, unknown>, key: string, check: (value: unknown, name: string) => void): void {
  const value = options[key];
  if (value !== undefined) check(value, `options.${key}`);
}

export function validateSocketOptions(options: unknown): asserts options is SchannelSocketOptions {
  validateObject(options, 'options');
  const transport = options.transport;
  if (transport === null || typeof transport !== 'object' || transportMethods.some((m) => typeof (transport as Record<string, unknown>)[m] !== 'function')) {
    throw invalidArgType('options.transport', 'Duplex', transport);
  }
  // role and credential are checked by the engine, with the same errors.
  optional(options, 'host', validateString);
  optional(options, 'rejectUnauthorized', validateBoolean);
  optional(options, 'validatePeer', validateBoolean);
  optional(options, 'allowHalfOpen', validateBoolean);
  optional(options, 'connecting', validateBoolean);
  optional(options, 'checkServerIdentity', validateFunction);
  optional(options, 'onIncompleteCredentials', validateFunction);
  optional(options, 'revocation', (v, n) => validateOneOf(v, n, revocationModes));
  optional(options, 'securityLevel', validateSecurityLevel);
  optional(options, 'minVersion', (v, n) => validateOneOf(v, n, protocolNames));
  optional(options, 'ca', (v, n) => {
    validateArray(v, n);
    v.forEach((item, i) => {
      if (typeof item !== 'string' && !Buffer.isBuffer(item)) throw invalidArgType(`${n}[${i}]`, ['string', 'Buffer'], item);
    });
  });
}
