export { startNtpServer, type NtpServerOptions, type NtpServerHandle, type NtpServerStats } from './server.js';
export { NO_FAULTS, type NtpServerBehaviour, type NtpFaultDecision, type NtpRequestContext } from './behaviour.js';
