/**
 * A Link is one mesh stream to a neighbour (/p2p-ai/mesh): a FramedStream of mesh frames.
 * Several links may exist to one peer (one per connection and direction); the PeerTable picks
 * which one to send on.
 */
import type { Connection, Stream } from '@libp2p/interface'
import type { FrameError } from '../core/errors.js'
import type { Frame } from './codec.js'
import { encodeFrame, FrameDecoder } from './codec.js'
import type { FrameCodec, FramedStreamOptions } from './framed-stream.js'
import { FramedStream } from './framed-stream.js'

/** Called from stream events: implementations must not throw (Node reports listener errors as uncaught). */
export interface LinkHandlers {
  onFrame(frame: Frame, link: Link): void
  onDrop(error: FrameError, link: Link): void
  onClose(link: Link): void
  onBytes?(direction: 'in' | 'out', bytes: number): void
}

export class Link extends FramedStream<Omit<Frame, 'version'>> {
  constructor(
    stream: Stream,
    connection: Connection,
    maxMessageBytes: number,
    handlers: LinkHandlers,
    options: FramedStreamOptions = {},
  ) {
    super(
      stream,
      connection,
      meshCodec(maxMessageBytes),
      {
        onFrame: (frame, s) => {
          handlers.onFrame(frame as Frame, s as Link)
        },
        onDrop: (error, s) => {
          handlers.onDrop(error, s as Link)
        },
        onClose: (s) => {
          handlers.onClose(s as Link)
        },
        onBytes: handlers.onBytes,
      },
      options,
    )
  }
}

function meshCodec(maxMessageBytes: number): FrameCodec<Omit<Frame, 'version'>> {
  return {
    encode: (frame) => encodeFrame(frame),
    decoder: () => new FrameDecoder(maxMessageBytes),
  }
}
