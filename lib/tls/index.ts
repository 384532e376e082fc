export { connect, type ConnectOptions } from './connect';
export { SchannelSocket, type SchannelSocketOptions } from './socket';
export { cachedCredential, clearCredentialCache } from './credential-cache';
export { createServer, SchannelServer, type ServerOptions, type SNIContext } from './server';
export { createSecureContext, type SchannelSecureContext, type ServerIdentityOptions } from './secure-context';
