// ApplyControlToken: the SCHANNEL_SHUTDOWN, SCHANNEL_ALERT and SCHANNEL_SESSION tokens, built here so
// that the native side only passes bytes.
import { native } from '../native';
import { failure } from './check';
import { traceCall } from './trace';
import { invalidArgValue } from './errors';
import { SchannelControlToken, TlsAlert, TlsAlertType } from './flags';
import { nativeContext, type SecurityContext } from './handles';
import { validateBufferLike, validateObject, validateUint32 } from './validate';

export type ControlToken =
  | 'shutdown'
  | { alert: { type: 'warning' | 'fatal' | number; number: keyof typeof TlsAlert | number } }
  | { session: number }
  | Uint8Array;

function dwords(...values: number[]): Buffer {
  const token = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => token.writeUInt32LE(value >>> 0, i * 4));
  return token;
}

export function encodeControlToken(token: ControlToken): Buffer {
  if (token === 'shutdown') return dwords(SchannelControlToken.SHUTDOWN);
  if (token instanceof Uint8Array) return validateBufferLike(token, 'token');
  validateObject(token, 'token');
  if ('alert' in token) {
    validateObject(token.alert, 'token.alert');
    const { type, number } = token.alert;
    const alertType = type === 'warning' ? TlsAlertType.WARNING : type === 'fatal' ? TlsAlertType.FATAL : type;
    validateUint32(alertType, 'token.alert.type');
    const alertNumber = typeof number === 'string' ? TlsAlert[number] : number;
    if (alertNumber === undefined) throw invalidArgValue('token.alert.number', number, 'is not a TLS1_ALERT_* name');
    validateUint32(alertNumber, 'token.alert.number');
    return dwords(SchannelControlToken.ALERT, alertType, alertNumber);
  }
  if ('session' in token) {
    validateUint32(token.session, 'token.session');
    return dwords(SchannelControlToken.SESSION, token.session);
  }
  throw invalidArgValue('token', token, "must be 'shutdown', { alert }, { session } or a Buffer");
}

/**
 * ApplyControlToken. After 'shutdown' (or an alert), call initializeSecurityContext /
 * acceptSecurityContext once more to obtain the close_notify (or alert) record to send.
 */
export function applyControlToken(context: SecurityContext, token: ControlToken): void {
  const handle = nativeContext(context, 'context');
  const status = native().applyControlToken(handle, encodeControlToken(token)) >>> 0;
  traceCall('ApplyControlToken', status);
  if (status !== 0) throw failure(status, 'ApplyControlToken');
}
