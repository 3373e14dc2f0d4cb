/**
 * Splits an untrusted byte stream into length-prefixed frames and decodes each one, for the
 * mesh and the task protocol alike. The length prefix is checked against the cap before
 * anything is buffered, and the bytes held back of an unfinished frame are counted
 * (`pending`), so a stream can tell a peer that stops mid-frame.
 */
import { LengthPrefixedDecoder } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'
import { FrameError } from '../core/errors.js'

export interface FrameSplitterLimits {
  /** the largest frame, without its prefix */
  maxFrameBytes: number
  /** the most bytes buffered at once (a frame plus the batch it came in) */
  maxBufferBytes: number
}

/** Bytes a varint takes for `n`. */
function varintLength(n: number): number {
  let bytes = 1
  for (let rest = n; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++
  return bytes
}

export class FrameSplitter<F> {
  private readonly lp: LengthPrefixedDecoder
  private held = 0

  constructor(
    limits: FrameSplitterLimits,
    private readonly decodeOne: (bytes: Uint8ArrayList) => F | FrameError,
  ) {
    this.lp = new LengthPrefixedDecoder({
      maxDataLength: limits.maxFrameBytes,
      maxBufferSize: limits.maxBufferBytes,
    })
  }

  /** Bytes of an unfinished frame held back. */
  get pending(): number {
    return this.held
  }

  /**
   * Yields a frame or a FrameError per frame. Throws FrameError('oversized') when the length
   * prefix is broken or over the cap: the stream cannot be resynchronised after that.
   */
  *push(chunk: Uint8Array | Uint8ArrayList): Generator<F | FrameError> {
    this.held += chunk.byteLength
    const frames = this.lp.decode(chunk)
    while (true) {
      let next: IteratorResult<Uint8ArrayList>
      try {
        next = frames.next()
      } catch (err) {
        throw new FrameError('oversized', (err as Error).message)
      }
      if (next.done === true) return
      const length = next.value.byteLength
      this.held -= varintLength(length) + length
      yield this.decodeOne(next.value)
    }
  }
}
