export { VsphereClient, TaskTimeoutError, type DiskInfo, type GuestAuth, type GuestProcessInfo, type HostServiceTicket } from './vsphere-client.ts';
export { VimSoapClient, VimFaultError, type SoapClientOptions } from './soap-client.ts';
export * as vimValues from './values.ts';
