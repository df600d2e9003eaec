export { startNtpServer, type NtpServerHandle } from './server.js';
export type { NtpFaultDecision } from './behaviour.js';
