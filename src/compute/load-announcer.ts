/**
 * Tells the mesh how busy this node is (issue 9: live load in the capability announcement):
 * the models ready here with their weights' hashes, tasks queued, calls in flight, the wait a
 * new task would have, the tasks served for others, and whether it serves at all. Read on every
 * task change and model change, and every second (a call ending changes no task); sent on when
 * it changed, and the mesh announces it at most once a second.
 */
import type { Startable } from '../core/startable.js'
import type { EngineLoad, ModelInfo } from '../core/tasks.js'
import type { TaskService } from '../tasks/task-service.js'
import type { TaskExecutor } from './executor.js'

/** How often the load is read even when no task changed, ms. */
const REFRESH_MS = 1000

export interface LoadAnnouncerOptions {
  tasks: TaskService
  executor: TaskExecutor
  /** takes other nodes' tasks (serve_tasks) */
  serving: boolean
  /** where the load goes (the mesh's announcement) */
  announce(load: EngineLoad): void
}

export class LoadAnnouncer implements Startable {
  private models: EngineLoad['models'] = []
  private last = ''
  private timer?: ReturnType<typeof setInterval>

  constructor(private readonly opts: LoadAnnouncerOptions) {}

  async start(): Promise<void> {
    this.opts.tasks.addEventListener('task:update', this.onChange)
    this.opts.tasks.addEventListener('models:update', this.onModels)
    this.models = ready(await this.opts.tasks.models())
    this.onChange()
    this.timer ??= setInterval(this.onChange, REFRESH_MS)
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.opts.tasks.removeEventListener('task:update', this.onChange)
    this.opts.tasks.removeEventListener('models:update', this.onModels)
  }

  /** The load now. */
  snapshot(): EngineLoad {
    const { queued, inflight, est_wait_ms } = this.opts.tasks.load()
    return {
      models: this.models,
      queue_depth: queued,
      calls_in_flight: inflight,
      est_wait_ms,
      tasks_served: this.opts.executor.stats.served,
      serving: this.opts.serving,
    }
  }

  private readonly onModels = (evt: CustomEvent<ModelInfo[]>): void => {
    this.models = ready(evt.detail)
    this.onChange()
  }

  private readonly onChange = (): void => {
    const load = this.snapshot()
    const key = JSON.stringify(load)
    if (key === this.last) return
    this.last = key
    this.opts.announce(load)
  }
}

function ready(models: ModelInfo[]): EngineLoad['models'] {
  return models
    .filter((m) => m.is_ready)
    .map((m) => ({ model: m.model_name, dtype: m.dtype, hash: m.model_hash ?? '' }))
}
