/** A headless node of the demo: `p2p-ai-agents node start` with its own home and port. */
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { PeerInfo } from '../../src/core/types.js'
import type { TaskRecord } from '../../src/core/tasks.js'
import type { DemoTask, Member, TaskSeen } from './member.js'
import { recordLatency } from './member.js'
import { CliChild, freePort } from './processes.js'

const START_MS = 60_000
/** requests in flight to one node at once */
const CONCURRENCY = 16

export class NodeMember implements Member {
  readonly kind = 'node'
  private child?: CliChild
  private port = 0
  private home = ''
  private ids = new Map<string, string>()
  peerId: string | undefined

  constructor(
    readonly number: number,
    private readonly relayUrl: string,
    private readonly workDir: string,
  ) {}

  get alive(): boolean {
    return this.child?.running === true
  }

  async start(): Promise<void> {
    if (this.child == null) {
      this.port = await freePort()
      this.home = await mkdtemp(join(this.workDir, `node${this.number}-`))
      this.child = new CliChild(
        [
          'node',
          'start',
          '--port',
          String(this.port),
          '--home',
          this.home,
          '--relay',
          this.relayUrl,
        ],
        { P2P_AI_LOG_LEVEL: 'WARN' },
      )
    }
    // again after a kill: the same home and port, so it resumes the tasks it had submitted
    this.child.start()
    this.peerId = (await this.child.waitFor(/^Peer ID: (\S+)/m, START_MS))[1]
  }

  async kill(): Promise<void> {
    await this.child?.kill()
  }

  async submit(tasks: DemoTask[]): Promise<void> {
    await inBatches(tasks, async (t) => {
      const record = await this.api<TaskRecord>('/tasks', {
        task_type: t.task_type,
        input: t.input,
        placement: 'auto',
      })
      this.ids.set(t.key, record.task_id)
    })
  }

  async poll(keys: string[]): Promise<TaskSeen[]> {
    if (!this.alive) return []
    const seen: TaskSeen[] = []
    await inBatches(keys, async (key) => {
      const id = this.ids.get(key)
      if (id == null) return
      try {
        const r = await this.api<TaskRecord>(`/tasks/${encodeURIComponent(id)}`)
        seen.push({ key, status: r.status, latencyMs: recordLatency(r), reason: r.error_reason })
      } catch {
        // not answering now (starting, or just killed): the next poll asks again
      }
    })
    return seen
  }

  async neighbours(): Promise<string[]> {
    if (!this.alive) return []
    try {
      const peers = await this.api<PeerInfo[]>('/peers')
      return peers.filter((p) => p.health === 'ALIVE').map((p) => p.peerId)
    } catch {
      return []
    }
  }

  async dispose(): Promise<void> {
    await this.child?.stop()
    if (this.home !== '') await rm(this.home, { recursive: true, force: true })
  }

  /** output kept for a report when something went wrong */
  get output(): string {
    return `${this.child?.stdout ?? ''}${this.child?.stderr ?? ''}`
  }

  private async api<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method: body == null ? 'GET' : 'POST',
      headers: body == null ? {} : { 'Content-Type': 'application/json' },
      body: body == null ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
    const answer = (await res.json()) as T & { error?: string }
    if (!res.ok) throw new Error(`node ${this.number}: ${path}: ${answer.error ?? res.status}`)
    return answer
  }
}

async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY)
    await Promise.all(items.slice(i, i + CONCURRENCY).map(fn))
}
