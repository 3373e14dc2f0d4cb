/**
 * A libp2p service that answers HTTP (or HTTPS, on a /tls/ws listener) on the node's WebSocket
 * listener port, so a relay serves the app, /healthz and /readyz on the same port tabs connect
 * to. @libp2p/websockets answers every non-upgrade request with 400 and has no hook; this swaps
 * the request handler of its `http` and `https` servers once the listener is up. The e2e tests
 * fail loudly if a library update changes that shape.
 *
 * A /tls/ws listener has no `http` server and drops a plain-HTTP connection without a word; here
 * it answers with a redirect to the same address over https, for the person who typed http://.
 */
import { createServer, Server } from 'node:http'
import { Server as HttpsServer } from 'node:https'
import type { Socket } from 'node:net'
import { Server as NetServer } from 'node:net'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Startable } from '@libp2p/interface'
import type { TransportManager } from '@libp2p/interface-internal'

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void

export interface HttpServiceComponents {
  transportManager: TransportManager
}

class HttpOnWebSocketPort implements Startable {
  private readonly redirects: Server[] = []

  constructor(
    private readonly components: HttpServiceComponents,
    private readonly handler: HttpHandler,
  ) {}

  start(): void {}

  afterStart(): void {
    let hooked = 0
    for (const listener of this.components.transportManager.getListeners()) {
      const {
        http,
        https,
        server: net,
      } = listener as {
        http?: unknown
        https?: unknown
        server?: unknown
      }
      for (const server of [http, https]) {
        if (!(server instanceof Server || server instanceof HttpsServer)) continue
        server.removeAllListeners('request')
        server.on('request', this.handler)
        hooked++
      }
      if (https instanceof HttpsServer && http == null && net instanceof NetServer)
        this.redirects.push(redirectPlainHttp(net))
    }
    if (hooked === 0) {
      throw new Error(
        'no WebSocket listener with an HTTP(S) server found: cannot serve HTTP on the libp2p port',
      )
    }
  }

  stop(): void {
    for (const redirect of this.redirects.splice(0)) {
      redirect.closeAllConnections()
      redirect.close()
    }
  }
}

/**
 * Puts a peek at each connection's first byte in front of the listener: a TLS handshake (a byte
 * below 32 or above 126, as the listener itself tells them apart) goes on to it, plain HTTP to
 * a server that redirects to https on the same host and port.
 */
function redirectPlainHttp(net: NetServer): Server {
  const redirect = createServer((req, res) => {
    const host = req.headers.host
    if (host == null || !/^[\w.:[\]-]+$/.test(host)) {
      res.writeHead(400, { Connection: 'close' }).end('this port speaks HTTPS')
      return
    }
    res.writeHead(308, { Location: `https://${host}${req.url ?? '/'}`, Connection: 'close' }).end()
  })
  const listeners = net.listeners('connection') as Array<(socket: Socket) => void>
  net.removeAllListeners('connection')
  net.on('connection', (socket: Socket) => {
    firstByte(socket).then(
      (byte) => {
        if (byte == null) socket.destroy()
        else if (byte < 32 || byte >= 127) for (const l of listeners) l.call(net, socket)
        else redirect.emit('connection', socket)
      },
      () => socket.destroy(),
    )
  })
  return redirect
}

/** The first byte the peer sent, put back for whoever reads next; none if it closed first. */
async function firstByte(socket: Socket): Promise<number | undefined> {
  let chunk = socket.read(1) as Buffer | null
  if (chunk == null) {
    await new Promise<void>((resolve, reject) => {
      socket.once('readable', resolve)
      socket.once('error', reject)
    })
    chunk = socket.read(1) as Buffer | null
  }
  if (chunk == null) return undefined
  socket.unshift(chunk)
  return chunk[0]
}

export function httpOnWebSocketPort(
  handler: HttpHandler,
): (components: HttpServiceComponents) => Startable {
  return (components) => new HttpOnWebSocketPort(components, handler)
}
