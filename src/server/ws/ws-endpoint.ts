/**
 * The websocket endpoint /v1/ws, attached to the HTTP server's upgrade event (one port for HTTP and
 * websockets). Bearer tokens are checked before the upgrade; a refused client gets a 401 with a JSON
 * error, like any HTTP request.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EddyError } from '../../util/errors.js';
import { unauthorized, type BearerTokens } from '../auth/bearer-tokens.js';
import { errorBody } from '../http/error-body.js';
import type { Engine } from '../../engine/index.js';
import { ClientSession, type SessionLimits } from './client-session.js';

export const WS_PATH = '/v1/ws';
/** Client messages are small JSON requests. */
const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

export interface WsEndpoint {
  readonly clients: number;
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: number, reason: string, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
      `${status === 401 ? 'WWW-Authenticate: Bearer\r\n' : ''}Connection: close\r\n\r\n${text}`,
  );
}

export function attachWsEndpoint(server: Server, engine: Engine, tokens: BearerTokens, limits: SessionLimits): WsEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  const sessions = new Set<ClientSession>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) {
      refuse(socket, 404, 'Not Found', errorBody(new EddyError('INVALID_PARAMETER', `no websocket endpoint at ${url.pathname}; use ${WS_PATH}`)));
      return;
    }
    if (!tokens.allows(request.headers.authorization, url.searchParams.get('token'))) {
      refuse(socket, 401, 'Unauthorized', errorBody(unauthorized()));
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const session = new ClientSession(ws, engine, limits);
      sessions.add(session);
      ws.on('close', () => sessions.delete(session));
    });
  });
  return {
    get clients() {
      return sessions.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
