export { startNfcServer } from './server.ts';
export { serveNfc } from './nfc-session.ts';
export { NfcFailure } from './errors.ts';
