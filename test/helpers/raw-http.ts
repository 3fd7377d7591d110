// A hand-driven HTTP/1.1 request over a bare socket: for requests that must stay in flight (a body
// still being sent, headers never finished) while the test does something to the server.
import net from 'node:net';

export type RawResponse = { status: number; head: string; body: string };

export type RawRequest = {
  /** Sends more bytes of the request. */
  write(data: string): void;
  /** The parsed response, or undefined when the server closed the connection without one. */
  response: Promise<RawResponse | undefined>;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
  destroy(): void;
};

/** Opens a connection to 127.0.0.1:port and sends `initial` (say, a request head and part of its body). */
export async function rawRequest(port: number, initial: string): Promise<RawRequest> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {}); // a reset is an answer too: the promises below settle on close
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const response = closed.then(() => {
    const split = received.indexOf('\r\n\r\n');
    if (split < 0) return undefined;
    const head = received.slice(0, split);
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), head, body: received.slice(split + 4) };
  });
  socket.write(initial);
  return { write: (data) => socket.write(data), response, closed, destroy: () => socket.destroy() };
}

/** Whether a new TCP connection to 127.0.0.1:port is accepted. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
