/**
 * A Link is one mesh stream to a neighbour: frames out with coalescing and backpressure, frames
 * in through the validating decoder. Several links may exist to one peer (one per connection
 * and direction); the PeerTable picks which one to send on.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Frame } from './codec.js'
import { encodeFrame, FrameDecoder, FrameError } from './codec.js'

/** Frames queued beyond this many bytes are refused until the stream drains. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024
/** Frames are coalesced into sends of about this size. */
const BATCH_BYTES = 64 * 1024

/** Called from stream events: implementations must not throw (Node reports listener errors as uncaught). */
export interface LinkHandlers {
  onFrame(frame: Frame, link: Link): void
  onDrop(error: FrameError, link: Link): void
  onClose(link: Link): void
}

export class Link {
  readonly peerId: string
  readonly opened = Date.now()
  private readonly decoder: FrameDecoder
  private readonly queue: Uint8ArrayList[] = []
  private queuedBytes = 0
  private flushScheduled = false
  private waitingForDrain = false
  private closed = false

  constructor(
    readonly stream: Stream,
    readonly connection: Connection,
    maxMessageBytes: number,
    private readonly handlers: LinkHandlers,
  ) {
    this.peerId = connection.remotePeer.toString()
    this.decoder = new FrameDecoder(maxMessageBytes)
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

  /** Bytes waiting in this link's queue (not yet handed to the stream). */
  get backlog(): number {
    return this.queuedBytes
  }

  /**
   * Queues a frame; false if the link is closed or too far behind to accept more. Frames queued
   * in one task go out together; `urgent` writes at once (a goodbye from `pagehide`).
   */
  send(frame: Omit<Frame, 'version'>, options: { urgent?: boolean } = {}): boolean {
    if (!this.isOpen || this.queuedBytes > MAX_QUEUED_BYTES) return false
    const bytes = encodeFrame(frame)
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
      try {
        if (!this.stream.send(batch)) this.waitingForDrain = true
      } catch {
        this.markClosed()
      }
    }
  }

  private receive(data: Uint8Array | Uint8ArrayList): void {
    const frames = this.decoder.push(data)
    while (true) {
      let next: IteratorResult<Frame | FrameError>
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
