/**
 * A libp2p service that answers HTTP (or HTTPS, on a /tls/ws listener) on the node's WebSocket
 * listener port, so a relay serves the app, /healthz and /readyz on the same port tabs connect
 * to. @libp2p/websockets answers every non-upgrade request with 400 and has no hook; this swaps
 * the request handler of its `http` and `https` servers once the listener is up. The e2e tests
 * fail loudly if a library update changes that shape.
 */
import { Server } from 'node:http'
import { Server as HttpsServer } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Startable } from '@libp2p/interface'
import type { TransportManager } from '@libp2p/interface-internal'

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void

export interface HttpServiceComponents {
  transportManager: TransportManager
}

class HttpOnWebSocketPort implements Startable {
  constructor(
    private readonly components: HttpServiceComponents,
    private readonly handler: HttpHandler,
  ) {}

  start(): void {}

  afterStart(): void {
    let hooked = 0
    for (const listener of this.components.transportManager.getListeners()) {
      const { http, https } = listener as { http?: unknown; https?: unknown }
      for (const server of [http, https]) {
        if (!(server instanceof Server || server instanceof HttpsServer)) continue
        server.removeAllListeners('request')
        server.on('request', this.handler)
        hooked++
      }
    }
    if (hooked === 0) {
      throw new Error(
        'no WebSocket listener with an HTTP(S) server found: cannot serve HTTP on the libp2p port',
      )
    }
  }

  stop(): void {}
}

export function httpOnWebSocketPort(
  handler: HttpHandler,
): (components: HttpServiceComponents) => Startable {
  return (components) => new HttpOnWebSocketPort(components, handler)
}
