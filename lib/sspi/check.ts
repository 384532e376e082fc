// Turning a failed status into the one error class, with the system's own message text.
import { native } from '../native';
import { SchannelError } from './errors';

/** The system's text for a status (FormatMessage), or '' where there is none. */
export function systemText(status: number): string {
  try {
    return native().statusText(status >>> 0);
  } catch {
    return '';
  }
}

export function failure(status: number, functionName: string, extra?: object): SchannelError {
  return SchannelError.fromStatus(status >>> 0, functionName, systemText(status), extra);
}
