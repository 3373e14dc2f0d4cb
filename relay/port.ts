import { createServer } from 'node:net'
import { PortInUseError } from '../src/core/errors.js'

/** Fails with FR18.1's message when `port` is taken, before anything else starts. */
export async function assertPortFree(port: number, host = '0.0.0.0'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new PortInUseError(port) : err)
    })
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => {
        resolve()
      })
    })
  })
}
