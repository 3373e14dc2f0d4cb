/**
 * A libp2p stream carrying length-prefixed frames of one protocol: frames out coalesced into
 * sends of about 64 KiB with backpressure, frames in through a validating decoder. The mesh's
 * links and the task protocol's streams are both one of these.
 *
 * A peer cannot hold one open for nothing: a partial frame that makes no progress for
 * `stallMs` resets the stream ('stalled'), and a peer that closes its side gets ours closed
 * too (a frame it left unfinished is counted as 'truncated').
 */
import type { Connection, Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { FrameError } from '../core/errors.js'

/** Frames queued beyond this many bytes are refused until the stream drains. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024
/** Frames are coalesced into sends of about this size. */
const BATCH_BYTES = 64 * 1024

/** Splits bytes into validated frames; throws only on a broken length prefix. */
export interface FrameDecoderLike<F> {
  push(chunk: Uint8Array | Uint8ArrayList): Generator<F | FrameError>
  /** bytes of an unfinished frame held back */
  readonly pending: number
}

/** How a protocol's frames become bytes and back. */
export interface FrameCodec<F> {
  encode(frame: F): Uint8ArrayList
  decoder(): FrameDecoderLike<F>
}

/** How long a partial frame may wait for its next bytes before the stream is reset. */
export const DEFAULT_STALL_MS = 30_000

export interface FramedStreamOptions {
  /** a partial frame with no new bytes for this long resets the stream */
  stallMs?: number
  /** may the peer's next frame through (its rate limit)? A frame refused is dropped as 'rate_limited'. */
  admit?: (peerId: string) => boolean
}

/** Called from stream events: implementations must not throw (Node reports listener errors as uncaught). */
export interface FramedStreamHandlers<F, S> {
  onFrame(frame: F, stream: S): void
  onDrop(error: FrameError, stream: S): void
  onClose(stream: S): void
  /** bytes handed to the stream or read from it (metrics) */
  onBytes?(direction: 'in' | 'out', bytes: number): void
}

export class FramedStream<F> {
  readonly peerId: string
  readonly opened = Date.now()
  private readonly decoder: FrameDecoderLike<F>
  private readonly stallMs: number
  private readonly admit?: (peerId: string) => boolean
  private stallTimer?: ReturnType<typeof setTimeout>
  private readonly queue: Uint8ArrayList[] = []
  private queuedBytes = 0
  private flushScheduled = false
  private waitingForDrain = false
  private closed = false

  constructor(
    readonly stream: Stream,
    readonly connection: Connection,
    private readonly codec: FrameCodec<F>,
    private readonly handlers: FramedStreamHandlers<F, FramedStream<F>>,
    options: FramedStreamOptions = {},
  ) {
    this.peerId = connection.remotePeer.toString()
    this.decoder = codec.decoder()
    this.stallMs = options.stallMs ?? DEFAULT_STALL_MS
    this.admit = options.admit
    stream.addEventListener('message', (evt) => {
      this.receive(evt.data)
    })
    stream.addEventListener('close', () => {
      this.markClosed()
    })
    stream.addEventListener('remoteCloseWrite', () => {
      this.remoteClosed()
    })
    stream.addEventListener('drain', () => {
      this.waitingForDrain = false
      this.flush()
    })
  }

  get isOpen(): boolean {
    return !this.closed && this.stream.writeStatus === 'writable'
  }

  /** Bytes waiting in this stream's queue (not yet handed to the stream). */
  get backlog(): number {
    return this.queuedBytes
  }

  /**
   * Queues a frame; false if the stream is closed or too far behind to accept more. Frames
   * queued in one task go out together; `urgent` writes at once (a goodbye from `pagehide`).
   */
  send(frame: F, options: { urgent?: boolean } = {}): boolean {
    if (!this.isOpen || this.queuedBytes > MAX_QUEUED_BYTES) return false
    const bytes = this.codec.encode(frame)
    this.queue.push(bytes)
    this.queuedBytes += bytes.byteLength
    if (options.urgent === true) {
      this.flush()
    } else if (!this.flushScheduled) {
      this.flushScheduled = true
      queueMicrotask(() => {
        this.flushScheduled = false
        this.flush()
      })
    }
    return true
  }

  /** Resets the stream; the peer sees it close. */
  abort(reason: string): void {
    this.stream.abort(new Error(reason))
    this.markClosed()
  }

  /** Closes our side after queued frames are written. */
  async close(): Promise<void> {
    this.flush()
    if (this.closed) return
    try {
      await this.stream.close({ signal: AbortSignal.timeout(1000) })
    } catch {
      this.stream.abort(new Error('close timed out'))
    }
    this.markClosed()
  }

  private flush(): void {
    // Wait for the stream's 'drain' event ourselves: Stream.onDrain() never resets after
    // its first use (@libp2p/utils 7.4.1), so it gives no backpressure.
    while (this.queue.length > 0 && !this.waitingForDrain && this.isOpen) {
      const batch = new Uint8ArrayList()
      while (this.queue.length > 0 && batch.byteLength < BATCH_BYTES) {
        const next = this.queue.shift() as Uint8ArrayList
        batch.append(next)
      }
      this.queuedBytes -= batch.byteLength
      this.handlers.onBytes?.('out', batch.byteLength)
      try {
        if (!this.stream.send(batch)) this.waitingForDrain = true
      } catch {
        this.markClosed()
      }
    }
  }

  private receive(data: Uint8Array | Uint8ArrayList): void {
    this.handlers.onBytes?.('in', data.byteLength)
    const frames = this.decoder.push(data)
    while (true) {
      let next: IteratorResult<F | FrameError>
      try {
        next = frames.next()
      } catch (err) {
        // the length prefix itself is bad: the stream cannot be resynchronised
        const error =
          err instanceof FrameError ? err : new FrameError('undecodable', (err as Error).message)
        this.handlers.onDrop(error, this)
        this.abort(`malformed stream: ${error.reason}`)
        return
      }
      if (next.done === true) break
      if (next.value instanceof FrameError) this.handlers.onDrop(next.value, this)
      else if (this.admit?.(this.peerId) === false)
        this.handlers.onDrop(new FrameError('rate_limited', 'over the rate limit'), this)
      else this.handlers.onFrame(next.value, this)
    }
    this.watchPartialFrame()
  }

  /** (Re)arms the stall timer while a partial frame waits for its next bytes. */
  private watchPartialFrame(): void {
    clearTimeout(this.stallTimer)
    this.stallTimer = undefined
    const pending = this.decoder.pending
    if (pending === 0 || this.closed) return
    this.stallTimer = setTimeout(() => {
      this.handlers.onDrop(
        new FrameError('stalled', `${pending} bytes of a frame, none more for ${this.stallMs} ms`),
        this,
      )
      this.abort('stalled partial frame')
    }, this.stallMs)
  }

  /** The peer will send no more: what it left unfinished is dropped, and our side closes too. */
  private remoteClosed(): void {
    const pending = this.decoder.pending
    if (pending > 0) {
      this.handlers.onDrop(
        new FrameError('truncated', `the peer closed with ${pending} bytes of a frame`),
        this,
      )
    }
    void this.close()
  }

  private markClosed(): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.stallTimer)
    this.queue.length = 0
    this.queuedBytes = 0
    this.handlers.onClose(this)
  }
}
