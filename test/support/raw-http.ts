import { connect } from 'node:net';

export interface RawExchange {
  /** Everything the server sent. */
  response: string;
  /** Whether the server closed the connection (as opposed to the client giving up after `giveUpMs`). */
  closedByServer: boolean;
  status: number | undefined;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequestOptions {
  /** Bytes written after the first chunk, one at a time, `dripMs` apart. */
  drip?: string;
  dripMs?: number;
  /** How long the client waits for the server to close (the test's own bound, never expected to be reached). */
  giveUpMs?: number;
  /** Close the connection from the client side right after writing (a client that goes away). */
  abortAfterWrite?: boolean;
}

function parse(response: string): Pick<RawExchange, 'status' | 'headers' | 'body'> {
  const [head = '', ...rest] = response.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
  return { status: status === undefined ? undefined : Number(status), headers, body: rest.join('\r\n\r\n') };
}

/** Writes bytes to the server over a plain TCP socket, as a hostile or broken client would. */
export function rawRequest(baseUrl: string, text: string, options: RawRequestOptions = {}): Promise<RawExchange> {
  const { hostname, port } = new URL(baseUrl);
  const { drip = '', dripMs = 200, giveUpMs = 10_000, abortAfterWrite = false } = options;
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let response = '';
    let dripTimer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      clearTimeout(giveUp);
      clearInterval(dripTimer);
      socket.destroy();
      resolve({ response, closedByServer, ...parse(response) });
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('close', () => finish(!abortAfterWrite));
    socket.on('error', () => undefined);
    socket.write(text, () => {
      if (abortAfterWrite) return finish(false);
      let i = 0;
      if (drip)
        dripTimer = setInterval(() => (i < drip.length ? socket.write(drip[i++]) : clearInterval(dripTimer)), dripMs);
    });
  });
}
