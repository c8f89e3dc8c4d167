/** authd replies are FTP-style: three digits, a space, text, CRLF. */
export interface AuthdReply {
  code: number;
  text: string;
}

export function parseAuthdReply(line: string): AuthdReply | undefined {
  const m = /^(\d{3})[ -]?(.*)$/.exec(line);
  return m ? { code: Number(m[1]), text: m[2]! } : undefined;
}

export const authdLine = (code: number, text: string) => `${code} ${text}\r\n`;

/** Splits "CMD arg" the way authd does: the command up to the first space, the rest trimmed. */
export function parseAuthdCommand(line: string): { command: string; arg: string } {
  const sp = line.indexOf(' ');
  return sp < 0 ? { command: line.toUpperCase(), arg: '' } : { command: line.slice(0, sp).toUpperCase(), arg: line.slice(sp + 1).trim() };
}

/** PROXY service names and the endpoint authd connects them to. */
export const NFC_SERVICES: Record<string, { endpoint: string; ssl: boolean }> = {
  'vpxa-nfc': { endpoint: 'ha-nfc', ssl: false },
  'vpxa-nfcssl': { endpoint: 'ha-nfcssl', ssl: true },
  'ha-nfc': { endpoint: 'ha-nfc', ssl: false },
  'ha-nfcssl': { endpoint: 'ha-nfcssl', ssl: true },
};
