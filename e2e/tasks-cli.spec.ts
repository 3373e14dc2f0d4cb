/**
 * AI tasks on a headless node through the command line (FR18.3, FR14.1-FR14.4): `task submit`,
 * `task status`, `task result`, `task list` and `node models`, run from the build against a real
 * node whose worker thread runs the offline models. No browser.
 */
import { rm } from 'node:fs/promises'
import { expect, test } from '@playwright/test'
import type { TaskRecord, TaskStatusReport } from '../src/core/tasks.js'
import type { CliResult } from './processes.js'
import { freePorts, HeadlessNode, Relay, runCli, tempHome } from './processes.js'

const EMBEDDER = 'local/universal-sentence-encoder-lite'
const CLASSIFIER = 'local/use-lite-sentiment-prototype'
const SUBMITTED = /^Task submitted \(id: ([0-9a-f-]{36})\)$/m
/** a first model load on a loaded 2-core machine, worker thread included */
const LOAD_MS = 60_000

let relay: Relay
let node: HeadlessNode
let homes: string[] = []

test.beforeAll(async () => {
  relay = await Relay.create()
})

test.afterAll(async () => {
  await relay?.dispose()
})

test.beforeEach(async () => {
  node = await startNode(await tempHome('tasks'))
})

test.afterEach(async () => {
  await node?.terminate()
  await Promise.all(homes.map(async (h) => rm(h, { recursive: true, force: true })))
  homes = []
})

async function startNode(home: string): Promise<HeadlessNode> {
  homes.push(home)
  const [port] = (await freePorts(1)) as [number]
  const n = new HeadlessNode(port, home, relay.url)
  n.start()
  await n.waitFor(/^Node started/m)
  return n
}

async function cli(...args: string[]): Promise<CliResult> {
  return runCli([...args, '--port', String(node.port), '--home', node.home])
}

async function submit(type: string, input: string, ...more: string[]): Promise<string> {
  const r = await cli('task', 'submit', '--type', type, '--input', input, ...more)
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  const id = SUBMITTED.exec(r.stdout)?.[1]
  expect(id, r.stdout).toBeDefined()
  return id as string
}

/** Polls `task status <id> --json` until the task is final; returns its report. */
async function finalStatus(id: string, timeout = LOAD_MS): Promise<TaskStatusReport> {
  let report: TaskStatusReport | undefined
  await expect
    .poll(
      async () => {
        const r = await cli('task', 'status', id, '--json')
        expect(r.code, r.stderr).toBe(0)
        report = JSON.parse(r.stdout) as TaskStatusReport
        return report.status
      },
      { timeout, intervals: [250, 500, 1000] },
    )
    .toMatch(/^(COMPLETED|FAILED|TIMEOUT)$/)
  return report as TaskStatusReport
}

test('an embedding submitted from the CLI completes; its result is 512 values of unit norm', async () => {
  const id = await submit('embedding', 'hello world')
  const report = await finalStatus(id)
  expect(report).toMatchObject({ task_id: id, task_type: 'text_embedding', status: 'COMPLETED' })
  expect(report.execution_time_ms).toBeGreaterThanOrEqual(0)

  const status = await cli('task', 'status', id)
  expect(status.code).toBe(0)
  // a lone node: placed auto, run here, one attempt
  const self = report.node_id
  const iso = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z'
  expect(status.stdout).toMatch(
    new RegExp(
      `^Task ID: +${id}\\nType: +text_embedding\\nStatus: +COMPLETED\\nPlacement: +auto\\nExecuted by: +${self}\\nAttempt 1: +${self} completed \\(${iso} → ${iso}\\)\\nExecution time: +\\d+ ms\\n$`,
    ),
  )

  const plain = await cli('task', 'result', id)
  expect(plain.code, plain.stderr).toBe(0)
  const vector = JSON.parse(plain.stdout) as number[]
  expect(vector).toHaveLength(512)
  expect(Math.hypot(...vector)).toBeCloseTo(1, 4)

  const json = await cli('task', 'result', id, '--format', 'json')
  expect(json.code).toBe(0)
  const record = JSON.parse(json.stdout) as TaskRecord
  expect(record).toMatchObject({
    task_id: id,
    task_type: 'text_embedding',
    status: 'COMPLETED',
    model: EMBEDDER,
    output_data: { dimensions: 512, embedding: vector },
  })
})

test('classification from the CLI: POSITIVE for "I love this", NEGATIVE for "I hate this"', async () => {
  const love = await submit('classification', 'I love this')
  const hate = await submit('classification', 'I hate this')
  for (const [id, label] of [
    [love, 'POSITIVE'],
    [hate, 'NEGATIVE'],
  ] as const) {
    expect((await finalStatus(id)).status).toBe('COMPLETED')
    const r = await cli('task', 'result', id)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^${label} \\(confidence 0\\.9\\d{3}\\)\\n$`))
  }
  // the embedding model warms up once the node has joined the mesh: maybe after these tasks
  const embedderReady = new RegExp(`^${EMBEDDER} +embedding +q8 +[\\d.]+ +yes +\\S+$`, 'm')
  let models = await cli('node', 'models')
  await expect
    .poll(
      async () => {
        models = await cli('node', 'models')
        return models.stdout
      },
      { timeout: 30_000 },
    )
    .toMatch(embedderReady)
  expect(models.code, models.stderr).toBe(0)
  expect(models.stdout).toMatch(
    new RegExp(`^${CLASSIFIER} +classification +q8 +[\\d.]+ +yes +\\S+$`, 'm'),
  )
  expect(models.stdout).toMatch(/^Backend: (wasm|cpu|webgpu), \d+ threads?, \d+ embeddings\/s$/m)
})

test('unknown ids: "Task not found (id: …)" and exit code 1 for status and result', async () => {
  for (const what of ['status', 'result']) {
    const r = await cli('task', what, 'no-such-task')
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Task not found (id: no-such-task)\n' })
  }
})

test('placement and replicas from the CLI: status --json shows where it ran and its attempts', async () => {
  const id = await submit('embedding', 'placed here', '--placement', 'local')
  const report = await finalStatus(id)
  expect(report).toMatchObject({
    status: 'COMPLETED',
    placement: 'local',
    executed_by: [report.node_id],
    attempts: [{ node_id: report.node_id, outcome: 'completed' }],
  })
  expect(report.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
  const json = await cli('task', 'status', id, '--json')
  expect(JSON.parse(json.stdout)).toMatchObject({
    placement: 'local',
    executed_by: [report.node_id],
  })

  // two replicas need two nodes; this one is alone
  const lone = await submit('embedding', 'checked twice', '--replicas', '2')
  expect(await finalStatus(lone)).toMatchObject({
    status: 'FAILED',
    error_reason: 'no_capable_node',
    replicas: 2,
  })

  const refused = async (...more: string[]): Promise<CliResult> =>
    cli('task', 'submit', '--type', 'embedding', '--input', 'hi', ...more)
  const badPlacement = await refused('--placement', 'somewhere')
  expect(badPlacement.code).toBe(1)
  expect(badPlacement.stderr).toMatch(/placement must be auto, remote, local or a node id/)
  const badReplicas = await refused('--replicas', '9')
  expect(badReplicas.code).toBe(1)
  expect(badReplicas.stderr).toMatch(/replicas must be a whole number from 1 to 5/)
})

test('bad requests fail clearly and queue nothing; a bad input becomes a FAILED task', async () => {
  const badType = await cli('task', 'submit', '--type', 'translation', '--input', 'hi')
  expect(badType.code).toBe(1)
  expect(badType.stderr).toMatch(/unknown task type "translation"; use one of: embedding/)
  const badTimeout = await cli(
    'task',
    'submit',
    '--type',
    'embedding',
    '--input',
    'hi',
    '--timeout',
    '0',
  )
  expect(badTimeout.code).toBe(1)
  expect(badTimeout.stderr).toMatch(/timeout_seconds must be more than 0/)
  const none = await cli('task', 'list')
  expect(none).toEqual({ code: 0, stdout: 'No tasks\n', stderr: '' })

  // an input the model cannot take is a task that failed, to be looked up like any other
  const id = await submit('embedding', 'word '.repeat(400))
  const report = await finalStatus(id)
  expect(report).toMatchObject({ status: 'FAILED', error_reason: 'input_exceeds_max_length' })
  const result = await cli('task', 'result', id)
  expect(result.code).toBe(1)
  expect(result.stderr).toBe(`error: task ${id} is FAILED (input_exceeds_max_length): no result\n`)
})

test('task list pages newest first; results survive a node restart', async () => {
  const ids: string[] = []
  for (const text of ['first', 'second', 'third']) {
    ids.push(await submit('embedding', text))
    // distinct submission times, so the order is the submission order
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  for (const id of ids) expect((await finalStatus(id)).status).toBe('COMPLETED')
  const newestFirst = [...ids].reverse()

  const listed = async (...args: string[]): Promise<string[]> => {
    const r = await cli('task', 'list', '--json', ...args)
    expect(r.code, r.stderr).toBe(0)
    return (JSON.parse(r.stdout) as TaskRecord[]).map((t) => t.task_id)
  }
  expect(await listed()).toEqual(newestFirst)
  expect(await listed('--limit', '2')).toEqual(newestFirst.slice(0, 2))
  expect(await listed('--limit', '2', '--offset', '2')).toEqual(newestFirst.slice(2))
  const table = await cli('task', 'list')
  expect(table.stdout.split('\n')[0]).toMatch(/^TASK ID +STATUS +SUBMITTED +TYPE$/)
  expect(table.stdout).toContain(`${ids[0]}  COMPLETED`)

  // node status counts the tasks this run of the node completed
  expect((await cli('node', 'status')).stdout).toMatch(/^Tasks: +3 completed$/m)

  const before = await cli('task', 'result', ids[1] as string)
  expect(await node.stop()).toBe(0)
  node = await startNode(node.home)
  expect(await listed()).toEqual(newestFirst)
  expect(await cli('task', 'result', ids[1] as string)).toEqual(before)
  expect((await cli('node', 'status')).stdout).toMatch(/^Tasks: +0 completed$/m)
})
