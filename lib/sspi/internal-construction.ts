// Classes exported for `instanceof` and types whose objects only this package may make (handles,
// PFX stores, secure contexts): their constructors run only inside constructInternally(), so
// `new X()` from outside (or from a subclass) is ERR_ILLEGAL_CONSTRUCTOR, as with Node's CryptoKey,
// rather than an object whose methods fail later.
import { illegalConstructor } from './errors';

const permitted = new Set<abstract new (...args: never[]) => unknown>();

/** Runs `make`, inside which `Class`'s constructor may run. */
export function constructInternally<T>(Class: abstract new (...args: never[]) => unknown, make: () => T): T {
  permitted.add(Class);
  try {
    return make();
  } finally {
    permitted.delete(Class);
  }
}

/** The first line of such a constructor: throws ERR_ILLEGAL_CONSTRUCTOR outside constructInternally(). */
export function assertInternalConstruction(Class: abstract new (...args: never[]) => unknown): void {
  if (!permitted.has(Class)) throw illegalConstructor();
}
