/**
 * The baseline: one plain RTCDataChannel between two tabs, signalled by the bench driver.
 * Wire: first byte 1 = echo this back, 2 = count it (the receiver answers "done" after the last).
 */
const ECHO = 1
const COUNT = 2
const DONE = 3
const LOW_WATER = 1024 * 1024
/** a raw operation that takes longer than this is reported as failed, not waited on forever */
const TIMEOUT_MS = 30_000

async function within<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`raw channel: ${what} took over ${TIMEOUT_MS} ms`))
    }, TIMEOUT_MS)
  })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export class RawChannel {
  private pc?: RTCPeerConnection
  private channel?: RTCDataChannel
  private onDone?: () => void
  private onEcho?: () => void
  private counted = 0
  private expected = 0

  async offer(): Promise<string> {
    const pc = this.create()
    this.wire(pc.createDataChannel('bench', { ordered: true }))
    await pc.setLocalDescription(await pc.createOffer())
    return this.gathered(pc)
  }

  async answer(sdp: string): Promise<string> {
    const pc = this.create()
    pc.ondatachannel = (e) => {
      this.wire(e.channel)
    }
    await pc.setRemoteDescription({ type: 'offer', sdp })
    await pc.setLocalDescription(await pc.createAnswer())
    return this.gathered(pc)
  }

  async accept(sdp: string): Promise<void> {
    await this.pc?.setRemoteDescription({ type: 'answer', sdp })
    const channel = this.channel as RTCDataChannel
    if (channel.readyState !== 'open')
      await new Promise((r) => channel.addEventListener('open', r, { once: true }))
  }

  async rtt(count: number, size: number): Promise<number[]> {
    const channel = this.channel as RTCDataChannel
    const msg = new Uint8Array(size).fill(9)
    msg[0] = ECHO
    const out: number[] = []
    for (let i = 0; i < count; i++) {
      const t0 = performance.now()
      await within(
        'echo',
        new Promise<void>((resolve) => {
          this.onEcho = resolve
          channel.send(msg)
        }),
      )
      out.push(performance.now() - t0)
    }
    return out
  }

  /** `count` messages of `size` bytes as fast as the channel takes them; ms until the peer confirms the last */
  async stream(count: number, size: number): Promise<number> {
    const channel = this.channel as RTCDataChannel
    channel.bufferedAmountLowThreshold = LOW_WATER
    const msg = new Uint8Array(size).fill(5)
    msg[0] = COUNT
    const header = new Uint8Array(9)
    header[0] = COUNT
    new DataView(header.buffer).setUint32(1, count)
    const t0 = performance.now()
    const done = new Promise<void>((resolve) => {
      this.onDone = resolve
    })
    channel.send(header) // announces the count
    for (let i = 0; i < count; i++) {
      if (channel.bufferedAmount > 4 * LOW_WATER) {
        await new Promise((r) => channel.addEventListener('bufferedamountlow', r, { once: true }))
      }
      channel.send(msg)
    }
    await within('stream', done)
    return performance.now() - t0
  }

  private create(): RTCPeerConnection {
    this.pc = new RTCPeerConnection({ iceServers: [] })
    return this.pc
  }

  private wire(channel: RTCDataChannel): void {
    channel.binaryType = 'arraybuffer'
    this.channel = channel
    channel.onmessage = (e: MessageEvent<ArrayBuffer>) => {
      const bytes = new Uint8Array(e.data)
      if (bytes[0] === ECHO) {
        if (this.onEcho != null) {
          const f = this.onEcho
          this.onEcho = undefined
          f()
        } else {
          channel.send(bytes)
        }
      } else if (bytes[0] === COUNT) {
        if (bytes.byteLength === 9) {
          this.expected = new DataView(bytes.buffer).getUint32(1)
          this.counted = 0
          return
        }
        if (++this.counted === this.expected) channel.send(Uint8Array.of(DONE))
      } else if (bytes[0] === DONE) {
        this.onDone?.()
      }
    }
  }

  private async gathered(pc: RTCPeerConnection): Promise<string> {
    if (pc.iceGatheringState !== 'complete') {
      await within(
        'ICE gathering',
        new Promise<void>((resolve) => {
          pc.addEventListener('icegatheringstatechange', () => {
            if (pc.iceGatheringState === 'complete') resolve()
          })
        }),
      )
    }
    return pc.localDescription?.sdp ?? ''
  }
}
