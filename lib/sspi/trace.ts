// NODE_DEBUG=schannel: one line per SSPI call with its status. debuglog costs nothing when it is
// off; the hot paths also check `enabled` so no arguments are formatted.
import { debuglog } from 'node:util';
import { statusName } from './status';

const log = debuglog('schannel');

export function traceCall(functionName: string, status: number, detail = ''): void {
  if (!log.enabled) return;
  log('%s -> %s (0x%s)%s', functionName, statusName(status), (status >>> 0).toString(16).padStart(8, '0'), detail ? ` ${detail}` : '');
}
