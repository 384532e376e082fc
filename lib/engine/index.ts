export { TlsEngine, DEFAULT_CLIENT_REQ, DEFAULT_SERVER_REQ, type EngineOptions, type EngineEvent, type EngineState, type EngineRole } from './tls-engine';
export { runHandshake, type HandshakeTransport } from './handshake-loop';
export { RecordType, readRecordHeader, splitRecords, MAX_RECORD_LENGTH, RECORD_HEADER_LENGTH } from './records';
