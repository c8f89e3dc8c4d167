/**
 * Port 902 wire constants: vmware-authd (FTP-style lines) and NFC (264-byte classic messages, then
 * the asynchronous I/O phase with 16-byte headers). Values follow public captures of VDDK 8
 * against ESXi 8; where the captures stop, bpsim's choice is documented in docs/protocols/nfc.md.
 */
export const AUTHD_BANNER =
  '220 VMware Authentication Daemon Version 1.10: SSL Required, ServerDaemonProtocol:SOAP, MKSDisplayProtocol:VNC , VMXARGS supported, NFCSSL supported/t, SHA256 supported';

/** Longest authd command line accepted (bytes, CRLF included). */
export const AUTHD_MAX_LINE = 1024;

/** Classic NFC messages: fixed size, little-endian, type first. */
export const NFC_MSG_SIZE = 264;
export const NFC_PROTOCOL_VERSION = 11;

export const NfcMsg = {
  SESSION_COMPLETE: 4,
  FILE_DATA: 7,
  PING: 8,
  ERROR: 20,
  SESSION_PARAMS: 33,
  SESSION_PARAMS_REPLY: 36,
  HANDSHAKE: 43,
  VERSION: 51,
  AIO_SESSION_OPEN: 52,
  CONNECTION_DATA: 54,
  SESSION_FEATURES: 55,
} as const;

export const AIO_MAGIC = 0xa100da7a;
export const AIO_HEADER_SIZE = 16;
/** Largest data fragment in one IO message (NFC_AIO_BUFFER_SIZE). */
export const AIO_FRAGMENT_MAX = 64 * 1024;
/** Largest AIO payload bpsim accepts (the real ones are at most 60 bytes). */
export const AIO_PAYLOAD_MAX = 4096;
/** Largest datastore path in OPEN_FILE. */
export const AIO_PATH_MAX = 4096;
/** Largest single read request (VixDiskLib_Read of 131072 sectors); bigger reads get VIX_E_INVALID_ARG. */
export const AIO_READ_MAX = 64 * 1024 * 1024;

export const AioMsg = {
  ERROR: 1,
  OPEN_SESSION: 2,
  CLOSE_SESSION: 3,
  OPEN_FILE: 4,
  CLOSE_FILE: 5,
  IO: 7,
  SET_SOCK_OPTS: 9,
  DDB_GET: 11,
  SET_RES_POOL: 22,
} as const;

export const AIO_PAYLOAD_SIZE = {
  [AioMsg.OPEN_SESSION]: 16,
  [AioMsg.CLOSE_SESSION]: 4,
  [AioMsg.OPEN_FILE]: 60,
  [AioMsg.CLOSE_FILE]: 8,
  [AioMsg.IO]: 44,
  [AioMsg.SET_SOCK_OPTS]: 12,
  [AioMsg.SET_RES_POOL]: 4,
} as Record<number, number>;

export const NFC_FILE_TYPE_DISK = 2;
/** OPEN_FILE flags as VDDK sends them; bit 0x04 is VIXDISKLIB_FLAG_OPEN_READ_ONLY. */
export const OPEN_FLAGS_READ_ONLY = 0x1e;
export const OPEN_FLAGS_READ_WRITE = 0x1a;
export const OPEN_FLAG_READ_ONLY_BIT = 0x04;
export const SECTOR_SIZE = 512;

export const IO_WRITE = 0;
export const IO_READ = 1;

/** errType of bpsim's NFC error messages: does the session go on after it? */
export const NfcErrType = {
  /** The connection ends after this error (framing broken, unknown message, timeout). */
  PROTOCOL: 1,
  /** The request failed; the session keeps serving. */
  REQUEST: 2,
} as const;

/** VixDiskLib error codes (vix.h) that the NFC server and client use. */
export const Vix = {
  FAIL: 1,
  INVALID_ARG: 3,
  FILE_NOT_FOUND: 4,
  NOT_SUPPORTED: 6,
  INCORRECT_FILE_TYPE: 9,
  FILE_READ_ONLY: 11,
  FILE_ACCESS_ERROR: 13,
  HOST_USER_PERMISSIONS: 3014,
  HOST_NETWORK_CONN_REFUSED: 14009,
  HOST_TCP_CONN_LOST: 14011,
  DISK_NOIO: 16002,
  DISK_OUTOFRANGE: 16007,
  CANNOT_CONNECT_TO_HOST: 18000,
} as const;

export const VIX_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Vix).map(([k, v]) => [v, `VIX_E_${k}`]));
