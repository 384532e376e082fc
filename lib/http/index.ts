export { SchannelAgent, type SchannelAgentOptions } from './agent';
export { createFetchDispatcher, type FetchDispatcherOptions } from './fetch';
