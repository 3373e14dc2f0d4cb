/**
 * A libp2p stream carrying length-prefixed frames of one protocol: frames out coalesced into
 * sends of about 64 KiB with backpressure, frames in through a validating decoder. The mesh's
 * links and the task protocol's streams are both one of these.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { FrameError } from '../core/errors.js'

/** Frames queued beyond this many bytes are refused until the stream drains. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024
/** Frames are coalesced into sends of about this size. */
const BATCH_BYTES = 64 * 1024

/** How a protocol's frames become bytes and back (the decoder validates; it throws only on a broken length prefix). */
export interface FrameCodec<F> {
  encode(frame: F): Uint8ArrayList
  decoder(): { push(chunk: Uint8Array | Uint8ArrayList): Generator<F | FrameError> }
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
  private readonly decoder: ReturnType<FrameCodec<F>['decoder']>
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
  ) {
    this.peerId = connection.remotePeer.toString()
    this.decoder = codec.decoder()
    stream.addEventListener('message', (evt) => {
      this.receive(evt.data)
    })
    stream.addEventListener('close', () => {
      this.markClosed()
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
      if (next.done === true) return
      if (next.value instanceof FrameError) this.handlers.onDrop(next.value, this)
      else this.handlers.onFrame(next.value, this)
    }
  }

  private markClosed(): void {
    if (this.closed) return
    this.closed = true
    this.queue.length = 0
    this.queuedBytes = 0
    this.handlers.onClose(this)
  }
}
