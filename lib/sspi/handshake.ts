// InitializeSecurityContextW and AcceptSecurityContext, one call each, with every parameter of the
// Schannel signatures reachable. Success codes (severity bit clear) and SEC_E_INCOMPLETE_MESSAGE are
// returned; every failure is thrown as a SchannelError that still carries the output buffers (an
// ALERT token to send to the peer, with ISC_REQ_EXTENDED_ERROR).
import { native } from '../native';
import { fromNativeBuffers, toInputBuffers, toOutputSpecs, firstOfType, type SecBufferInput, type SecBufferOutputSpec, type SecBufferResult } from './buffers';
import { failure } from './check';
import { forgetStreamSizes } from './messages';
import { traceCall } from './trace';
import { invalidArgValue } from './errors';
import { AscReq, AscRet, combineFlags, flagNames, IscReq, IscRet, SecBufferType } from './flags';
import { nativeContext, nativeCredential, wrapContext, type CredentialsHandle, type SecurityContext } from './handles';
import { SecStatus, statusName } from './status';
import { validateHostName, validateObject, validateUint32 } from './validate';

export type IscReqName = keyof typeof IscReq;
export type AscReqName = keyof typeof AscReq;

interface CommonParams {
  /** From acquireCredentialsHandle(). May be null on later calls (Schannel keeps the context's own). */
  credential: CredentialsHandle | null;
  /** null (or absent) on the first call; afterwards the context the first call returned. */
  context?: SecurityContext | null;
  /** Input SecBuffers: e.g. [{ type: TOKEN, data }, { type: EMPTY }] on later calls. */
  input?: readonly SecBufferInput[] | null;
  /**
   * Output SecBuffers to prepare. Default: TOKEN and ALERT. Without ALLOCATE_MEMORY in the request
   * each needs a size (default 64 KiB for TOKEN, 512 bytes otherwise).
   */
  output?: readonly SecBufferOutputSpec[];
  /** TargetDataRep; Schannel ignores it. Default 0. */
  targetDataRep?: number;
}

export interface InitializeSecurityContextParams extends CommonParams {
  /** pszTargetName: the server name, used for SNI and Schannel's name check. null sends no SNI. */
  targetName?: string | null;
  /** fContextReq: ISC_REQ_* bits, as a number or as names. */
  contextReq: number | readonly IscReqName[];
  /** Reserved1 and Reserved2 must be zero; they are accepted so a 1:1 call reads like the C one. */
  reserved1?: 0;
  reserved2?: 0;
}

export interface AcceptSecurityContextParams extends CommonParams {
  /** fContextReq: ASC_REQ_* bits, as a number or as names. */
  contextReq: number | readonly AscReqName[];
}

export interface HandshakeResult {
  /** The status as the unsigned 32-bit number (0x00090312). */
  status: number;
  statusName: string;
  /** The new context after the first call, the same one afterwards; null if none was created. */
  context: SecurityContext | null;
  output: SecBufferResult[];
  input: SecBufferResult[];
  /** pfContextAttr: ISC_RET_* (client) or ASC_RET_* (server) bits, and their names. */
  contextAttr: number;
  contextAttrNames: string[];
  expiry: Date | null;
  /** Unconsumed input (SECBUFFER_EXTRA): feed it to the next call. */
  extra: Buffer | null;
  /** Bytes still needed (SECBUFFER_MISSING) with SEC_E_INCOMPLETE_MESSAGE; 0 when unknown. */
  missing: number | null;
  /** The TOKEN output to send to the peer (empty when there is none). */
  token: Buffer;
  /** The ALERT output (with EXTENDED_ERROR), to send to the peer; null when there is none. */
  alert: Buffer | null;
}

const returnedFailures = new Set<number>([SecStatus.SEC_E_INCOMPLETE_MESSAGE]);

function requestFlags(value: unknown, table: typeof IscReq | typeof AscReq, name: string): number {
  if (Array.isArray(value)) return combineFlags(table, value as string[]);
  validateUint32(value, name);
  return value;
}

function defaultOutput(allocate: boolean): SecBufferOutputSpec[] {
  return allocate
    ? [{ type: SecBufferType.TOKEN }, { type: SecBufferType.ALERT }]
    : [{ type: SecBufferType.TOKEN, size: 65536 }, { type: SecBufferType.ALERT, size: 512 }];
}

function call(role: 'client' | 'server', params: InitializeSecurityContextParams | AcceptSecurityContextParams): HandshakeResult {
  validateObject(params, 'params');
  const isClient = role === 'client';
  const functionName = isClient ? 'InitializeSecurityContextW' : 'AcceptSecurityContext';
  const credential = params.credential == null ? null : nativeCredential(params.credential, 'params.credential');
  const context = params.context == null ? null : nativeContext(params.context, 'params.context');
  if (credential === null && context === null) {
    throw invalidArgValue('params.credential', params.credential, 'is required on the first call (no context yet)');
  }
  let targetName: string | null = null;
  if (isClient) {
    const client = params as InitializeSecurityContextParams;
    if (client.targetName != null) {
      validateHostName(client.targetName, 'params.targetName');
      targetName = client.targetName;
    }
    for (const key of ['reserved1', 'reserved2'] as const) {
      if (client[key] !== undefined && client[key] !== 0) throw invalidArgValue(`params.${key}`, client[key], 'must be 0');
    }
  }
  const contextReq = requestFlags(params.contextReq, isClient ? IscReq : AscReq, 'params.contextReq');
  const targetDataRep = params.targetDataRep ?? 0;
  validateUint32(targetDataRep, 'params.targetDataRep');
  const input = params.input == null ? null : toInputBuffers(params.input, 'params.input');
  const allocate = (contextReq & (isClient ? IscReq.ALLOCATE_MEMORY : AscReq.ALLOCATE_MEMORY)) !== 0;
  const output = params.output === undefined ? defaultOutput(allocate) : toOutputSpecs(params.output, 'params.output');

  const raw = native().handshake(isClient ? 0 : 1, credential, context, targetName, contextReq, targetDataRep, input, output);
  if (context) forgetStreamSizes(context);
  const status = raw.status >>> 0;
  traceCall(functionName, status, `in=${(input ?? []).map((b) => b.data?.length ?? 0).join('+') || '-'}`);
  const outputBuffers = fromNativeBuffers(raw.output);
  const inputBuffers = fromNativeBuffers(raw.input);
  const attrTable = isClient ? IscRet : AscRet;
  const contextAttr = (raw.contextAttr ?? 0) >>> 0;
  const tokens = outputBuffers.filter((b) => b.type === SecBufferType.TOKEN && b.data && b.data.length > 0);
  const alert = firstOfType(outputBuffers, SecBufferType.ALERT);
  const missing = firstOfType(inputBuffers, SecBufferType.MISSING);
  const extra = firstOfType(inputBuffers, SecBufferType.EXTRA);
  const result: HandshakeResult = {
    status,
    statusName: statusName(status),
    context: raw.context ? wrapContext(raw.context, role) : params.context ?? null,
    output: outputBuffers,
    input: inputBuffers,
    contextAttr,
    contextAttrNames: flagNames(attrTable, contextAttr),
    expiry: typeof raw.expiry === 'number' ? new Date(raw.expiry) : null,
    extra: extra?.data ?? null,
    missing: missing ? missing.size : status === SecStatus.SEC_E_INCOMPLETE_MESSAGE ? 0 : null,
    token: tokens.length === 1 ? tokens[0].data! : Buffer.concat(tokens.map((b) => b.data!)),
    alert: alert?.data && alert.data.length > 0 ? alert.data : null,
  };
  if ((status & 0x80000000) !== 0 && !returnedFailures.has(status)) {
    throw failure(status, functionName, { output: result.output, alert: result.alert, context: result.context });
  }
  return result;
}

/** One InitializeSecurityContextW call (client side). */
export function initializeSecurityContext(params: InitializeSecurityContextParams): HandshakeResult {
  return call('client', params);
}

/** One AcceptSecurityContext call (server side). */
export function acceptSecurityContext(params: AcceptSecurityContextParams): HandshakeResult {
  return call('server', params);
}

/** CompleteAuthToken, for SEC_I_COMPLETE_NEEDED / SEC_I_COMPLETE_AND_CONTINUE. */
export function completeAuthToken(context: SecurityContext, buffers: readonly SecBufferInput[]): number {
  const handle = nativeContext(context, 'context');
  const status = native().completeAuthToken(handle, toInputBuffers(buffers, 'buffers')) >>> 0;
  traceCall('CompleteAuthToken', status);
  if ((status & 0x80000000) !== 0) throw failure(status, 'CompleteAuthToken');
  return status;
}

/** DeleteSecurityContext. A second call reports SEC_E_INVALID_HANDLE, as Windows does. */
export function deleteSecurityContext(context: SecurityContext): void {
  const handle = nativeContext(context, 'context');
  const status = native().deleteSecurityContext(handle) >>> 0;
  traceCall('DeleteSecurityContext', status);
  if (status !== 0) throw failure(status, 'DeleteSecurityContext');
}
