import { AddressInfo, connect, createServer, Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server (MariaDB, Redis) that a test can stall or kill without
 * touching the server itself, which other people are using:
 * - `pause()`: stops forwarding in both directions while every socket stays open, as a server
 *   process stopped with SIGSTOP looks to its clients (connections are still accepted, nothing
 *   answers); `resume()` forwards whatever queued meanwhile, in order.
 * - `refuse()`: closes every connection, and each new one at once, as a dead server looks;
 *   `accept()` lets connections through again.
 */
export interface TcpProxy {
  port: number;
  pause(): void;
  resume(): void;
  refuse(): void;
  accept(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let paused = false;
  let refusing = false;
  // Closes seen while paused: a stopped process would not see them until it runs again.
  let deferred: Array<() => void> = [];

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (paused) socket.pause();
  };

  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk) => to.write(chunk));
    from.on('end', () => to.end());
    from.on('close', () => {
      const close = (): void => void to.destroy();
      if (paused) deferred.push(close);
      else close();
    });
  };

  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    track(client);
    track(upstream);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    pause: () => {
      paused = true;
      for (const socket of sockets) socket.pause();
    },
    resume: () => {
      paused = false;
      for (const socket of sockets) socket.resume();
      const pending = deferred;
      deferred = [];
      for (const close of pending) close();
    },
    refuse: () => {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    accept: () => {
      refusing = false;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
