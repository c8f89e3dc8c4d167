import { describe, expect, test } from 'vitest';
import { Duplex } from 'node:stream';
import { NFC_SERVICES, authdLine, parseAuthdCommand, parseAuthdReply } from '../../simulators/core/codecs/nfc/authd.ts';
import { RawPipe } from '../../simulators/core/codecs/nfc/raw-pipe.ts';

/*
 * authd's FTP-style lines (docs/protocols/nfc.md section 1) and the pipe that carries the first TLS
 * session over the raw socket, then hands the socket back: checked against a scripted Duplex
 * standing in for the socket (what arrives is pushed, what is written is recorded).
 */
describe('authd lines', () => {
  test('a reply is three digits, an optional space or dash, text', () => {
    expect(parseAuthdReply('200 Connect ha-nfcssl')).toEqual({ code: 200, text: 'Connect ha-nfcssl' });
    expect(parseAuthdReply('220-first line of several')).toEqual({ code: 220, text: 'first line of several' });
    expect(parseAuthdReply('221')).toEqual({ code: 221, text: '' });
    expect(parseAuthdReply('530 Login incorrect.')).toEqual({ code: 530, text: 'Login incorrect.' });
    expect(parseAuthdReply('20 short')).toBeUndefined();
    expect(parseAuthdReply(' 200 leading blank')).toBeUndefined();
    expect(parseAuthdReply('OK 200')).toBeUndefined();
    expect(parseAuthdReply('')).toBeUndefined();
  });

  test('a reply line is code, space, text, CRLF', () => {
    expect(authdLine(331, 'Password required for root.')).toBe('331 Password required for root.\r\n');
  });

  test('a command is upper-cased up to the first space, the argument trimmed', () => {
    expect(parseAuthdCommand('proxy vpxa-nfcssl')).toEqual({ command: 'PROXY', arg: 'vpxa-nfcssl' });
    expect(parseAuthdCommand('PASS  two words  ')).toEqual({ command: 'PASS', arg: 'two words' });
    expect(parseAuthdCommand('BANNER ')).toEqual({ command: 'BANNER', arg: '' });
    expect(parseAuthdCommand('quit')).toEqual({ command: 'QUIT', arg: '' });
    expect(parseAuthdCommand('')).toEqual({ command: '', arg: '' });
    expect(parseAuthdCommand(' quit')).toEqual({ command: '', arg: 'quit' });
  });

  test('PROXY services: vpxa-nfc[ssl] and ha-nfc[ssl] connect to ha-nfc[ssl]; only the ssl ones start a second TLS', () => {
    expect(NFC_SERVICES).toEqual({
      'vpxa-nfc': { endpoint: 'ha-nfc', ssl: false },
      'vpxa-nfcssl': { endpoint: 'ha-nfcssl', ssl: true },
      'ha-nfc': { endpoint: 'ha-nfc', ssl: false },
      'ha-nfcssl': { endpoint: 'ha-nfcssl', ssl: true },
    });
  });
});

/** The raw socket: `arrive` pushes bytes as if from the peer; `written` is what went out; `ended` once ended. */
function fakeSocket() {
  const written: string[] = [];
  const state = { ended: false };
  const raw = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk.toString('latin1'));
      cb();
    },
    final(cb) {
      state.ended = true;
      cb();
    },
  });
  return { raw, written, state, arrive: (s: string) => raw.push(Buffer.from(s, 'latin1')) };
}
const tick = () => new Promise<void>((r) => setImmediate(r));
/** Everything the pipe has delivered so far. */
function collect(pipe: RawPipe): { text: string; ended: boolean } {
  const got = { text: '', ended: false };
  pipe.on('data', (c: Buffer) => (got.text += c.toString('latin1')));
  pipe.on('end', () => (got.ended = true));
  return got;
}

describe('RawPipe', () => {
  test('bytes read ahead of the pipe come first, then what arrives; the socket end ends the pipe', async () => {
    const { raw, arrive } = fakeSocket();
    const pipe = new RawPipe(raw, Buffer.from('\x16\x03\x01'));
    const got = collect(pipe);
    arrive('hello');
    raw.push(null);
    await tick();
    expect(got).toEqual({ text: '\x16\x03\x01hello', ended: true });
  });

  test('without bytes read ahead (undefined or empty) only what arrives', async () => {
    for (const initial of [undefined, Buffer.alloc(0)]) {
      const { raw, arrive } = fakeSocket();
      const got = collect(new RawPipe(raw, initial));
      arrive('x');
      await tick();
      expect(got).toEqual({ text: 'x', ended: false });
    }
  });

  test('writes reach the socket; ending the pipe ends the socket', async () => {
    const { raw, written, state } = fakeSocket();
    const pipe = new RawPipe(raw);
    pipe.write('200 Connect\r\n');
    pipe.end();
    await tick();
    expect(written).toEqual(['200 Connect\r\n']);
    expect(state.ended).toBe(true);
  });

  test('stopInput: later bytes stay in the socket (paused) for the next layer, the pipe sees none', async () => {
    const { raw, arrive } = fakeSocket();
    const pipe = new RawPipe(raw);
    const got = collect(pipe);
    arrive('authd');
    await tick();
    pipe.stopInput();
    pipe.stopInput();
    arrive('\x16nfc tls');
    raw.push(null);
    await tick();
    expect(got).toEqual({ text: 'authd', ended: false });
    expect(raw.isPaused()).toBe(true);
    expect(raw.listenerCount('end')).toBe(0);
    expect((raw.read() as Buffer).toString('latin1')).toBe('\x16nfc tls');
  });

  test('stopInput before the first session read what it had: reading it later does not restart the socket', async () => {
    const { raw, arrive } = fakeSocket();
    const pipe = new RawPipe(raw);
    // stopInput in the same tick as the pipe's push: the pipe's read-ahead of that push comes after it.
    raw.once('data', () => pipe.stopInput());
    arrive('PROXY reply');
    await tick();
    expect((pipe.read() as Buffer).toString('latin1')).toBe('PROXY reply');
    await tick();
    arrive('\x16nfc tls');
    await tick();
    expect(raw.isPaused()).toBe(true);
    expect((raw.read() as Buffer).toString('latin1')).toBe('\x16nfc tls');
  });

  test('detach: what the first session still writes, and its end, never reach the socket', async () => {
    const { raw, written, state, arrive } = fakeSocket();
    const pipe = new RawPipe(raw);
    const got = collect(pipe);
    pipe.write('before');
    await tick();
    pipe.detach();
    arrive('next layer');
    pipe.write('close_notify');
    pipe.end();
    await tick();
    expect(written).toEqual(['before']);
    expect(state.ended).toBe(false);
    expect(got.text).toBe('');
    expect(raw.writable).toBe(true);
  });

  test('destroying the pipe detaches it from the socket, which stays open', async () => {
    const { raw, written, state, arrive } = fakeSocket();
    const pipe = new RawPipe(raw);
    pipe.destroy();
    await tick();
    expect(raw.listenerCount('data')).toBe(0);
    arrive('kept');
    expect(state.ended).toBe(false);
    expect(written).toEqual([]);
    expect((raw.read() as Buffer).toString('latin1')).toBe('kept');
  });

  test('a pipe whose reader lags pauses the socket; reading resumes it', async () => {
    const { raw, arrive } = fakeSocket();
    const pipe = new RawPipe(raw);
    arrive('x'.repeat(20_000)); // past the pipe's 16 KiB high-water mark, nobody reading
    await tick();
    expect(raw.isPaused()).toBe(true);
    expect((pipe.read() as Buffer).length).toBe(20_000);
    await tick();
    expect(raw.isPaused()).toBe(false);
  });
});
