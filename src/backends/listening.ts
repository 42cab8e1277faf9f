import type { Server } from 'node:net';

/** The TCP port a listening server got (the OS picks it when asked for port 0). */
export function listeningPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('internal error: server is not on TCP');
  return address.port;
}
