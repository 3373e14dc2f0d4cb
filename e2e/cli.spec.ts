/**
 * The `p2p-ai-agents` command line and its Node processes, run from the build
 * (dist/node/relay/cli.js) as an operator would: exact output, exit codes and files
 * (FR18.1, FR18.2, FR1.3, FR1.4, FR1.5, FR1.7, FR1.8). No browser.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { get as httpGet } from 'node:http'
import { expect, test } from '@playwright/test'
import type { PeerInfo } from '../src/core/types.js'
import type { CliResult } from './processes.js'
import { CliProcess, freePorts, HeadlessNode, Relay, runCli, tempHome } from './processes.js'

const ROOT = join(import.meta.dirname, '..')
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version
const NODE_STARTED = /^Node started \(id: ([0-9a-f]{32}), port: (\d+)\)$/m
const RELAY_STARTED = /^Relay started \(id: ([0-9a-f]{32}), port: (\d+)\)$/m
const PEER_ID_LINE = /^Peer ID: (12D3KooW[1-9A-HJ-NP-Za-km-z]+)$/m
const SAMPLE_HEADER = '\nA valid configuration file looks like this:\n'
const NO_NODE = 'error: no running node found; start one with "p2p-ai-agents node start"\n'

const portInUse = (port: number): string =>
  `error: Port ${port} already in use. Use --port to specify a different port.\n`

// every process and directory of a test, cleaned up after it whatever happened
let procs: CliProcess[] = []
let dirs: string[] = []

test.afterEach(async () => {
  await Promise.all(procs.map(async (p) => p.terminate()))
  await Promise.all(dirs.map(async (d) => rm(d, { recursive: true, force: true })))
  procs = []
  dirs = []
})

async function home(prefix: string): Promise<string> {
  const dir = await tempHome(prefix)
  dirs.push(dir)
  return dir
}

function track<T extends CliProcess>(proc: T): T {
  procs.push(proc)
  return proc
}

function lines(text: string): string[] {
  const out = text.split('\n')
  if (out.at(-1) === '') out.pop()
  return out
}

function expectRecentIso(timestamp: unknown): void {
  expect(typeof timestamp).toBe('string')
  expect(new Date(timestamp as string).toISOString()).toBe(timestamp)
  expect(Math.abs(Date.now() - Date.parse(timestamp as string))).toBeLessThan(60_000)
}

interface Started {
  id: string
  peerId: string
}

async function started(proc: CliProcess, pattern: RegExp): Promise<Started> {
  const [, id] = await proc.waitFor(pattern)
  const [, peerId] = await proc.waitFor(PEER_ID_LINE)
  return { id: id as string, peerId: peerId as string }
}

async function startRelay(): Promise<Relay & Started> {
  const [port] = (await freePorts(1)) as [number]
  const relay = track(new Relay(port, await home('relay')))
  relay.start()
  return Object.assign(relay, await started(relay, RELAY_STARTED))
}

type Node = HeadlessNode & { id: string }

async function startNode(
  relayUrl: string,
  opts: { home?: string; port?: number; args?: string[] } = {},
): Promise<Node> {
  const port = opts.port ?? ((await freePorts(1))[0] as number)
  const node = track(new HeadlessNode(port, opts.home ?? (await home('node')), relayUrl, opts.args))
  node.start()
  // its peerId is a getter reading the output
  return Object.assign(node, { id: (await started(node, NODE_STARTED)).id })
}

/** Until each node lists the other as a live direct WebRTC peer. */
async function expectMeshed(a: HeadlessNode, b: HeadlessNode): Promise<void> {
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    await expect
      .poll(
        async () =>
          (await x.api<PeerInfo[]>('/peers')).map((p) => `${p.peerId} ${p.transport} ${p.health}`),
        { timeout: 30_000 },
      )
      .toEqual([`${y.peerId} webrtc ALIVE`])
  }
}

async function getJson(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }> {
  // node:http rather than fetch: fetch will not send a Host header of our choosing
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => {
        try {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(text) as Record<string, unknown>,
          })
        } catch (err) {
          reject(err as Error)
        }
      })
    })
    req.once('error', reject)
    req.end()
  })
}

/** The problem lines and the sample config of a failed start's "invalid configuration" report. */
function configReport(r: CliResult): { problems: string[]; sample: Record<string, unknown> } {
  expect(r.code, r.stderr).toBe(1)
  expect(r.stdout).toBe('')
  expect(r.stderr.startsWith('error: invalid configuration\n'), r.stderr).toBe(true)
  const at = r.stderr.indexOf(SAMPLE_HEADER)
  expect(at, r.stderr).toBeGreaterThan(0)
  return {
    problems: lines(r.stderr.slice(0, at)).slice(1),
    sample: JSON.parse(r.stderr.slice(at + SAMPLE_HEADER.length)) as Record<string, unknown>,
  }
}

test.describe('version', () => {
  test('--version prints exactly the package version', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' })
    expect(await runCli(['-v'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' })
    // and through the installed bin script
    const bin = spawnSync(process.execPath, [join(ROOT, 'bin', 'p2p-ai-agents.js'), '--version'], {
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect([bin.status, bin.stdout, bin.stderr]).toEqual([0, `${VERSION}\n`, ''])
  })
})

test.describe('relay', () => {
  test('relay start serves the app, probes, bootstrap and metadata, and stops on SIGTERM', async () => {
    const relay = await startRelay()
    const { port, id, peerId } = relay
    await relay.waitFor(/in a browser to join the mesh\.\n/)
    expect(lines(relay.stdout)).toEqual([
      `Relay started (id: ${id}, port: ${port})`,
      `PID: ${relay.pid}`,
      `Peer ID: ${peerId}`,
      `Open http://localhost:${port}/ in a browser to join the mesh.`,
    ])

    // the built app, cross-origin isolated
    const page = await fetch(`${relay.url}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp')
    expect(await page.text()).toBe(readFileSync(join(ROOT, 'dist', 'app', 'index.html'), 'utf8'))

    // FR1.3: the four checks in order, all passing
    const health = await getJson(port, '/healthz')
    expect(health.status).toBe(200)
    expect(health.body.status).toBe('PASS')
    const checks = health.body.checks as Array<{ name: string; status: string }>
    expect(checks.map((c) => `${c.name} ${c.status}`)).toEqual([
      'config PASS',
      'storage PASS',
      'crypto PASS',
      'memory PASS',
    ])
    expectRecentIso(health.body.timestamp)

    // FR1.8: ready
    const ready = await getJson(port, '/readyz')
    expect(ready.status).toBe(200)
    expect(ready.body).toEqual({ status: 'node_ready', timestamp: expect.any(String) })
    expectRecentIso(ready.body.timestamp)

    // the bootstrap document: first the address as the client reached the relay
    const boot = await getJson(port, '/bootstrap.json')
    expect(boot.status).toBe(200)
    expect(boot.headers['access-control-allow-origin']).toBe('*')
    expect(Object.keys(boot.body).sort()).toEqual(['multiaddrs', 'peerId'])
    expect(boot.body.peerId).toBe(peerId)
    const addrs = boot.body.multiaddrs as string[]
    expect(addrs[0]).toBe(`/ip4/127.0.0.1/tcp/${port}/ws/p2p/${peerId}`)
    for (const a of addrs) expect(a).toMatch(new RegExp(`/p2p/${peerId}$`))
    const byName = await getJson(port, '/bootstrap.json', { Host: `localhost:${port}` })
    expect((byName.body.multiaddrs as string[])[0]).toBe(
      `/dns4/localhost/tcp/${port}/ws/p2p/${peerId}`,
    )

    // FR1.7: metadata
    const meta = await getJson(port, '/metadata')
    expect(meta.status).toBe(200)
    expect(meta.body).toEqual({
      version: VERSION,
      node_id: id,
      peer_id: peerId,
      uptime_seconds: expect.any(Number),
      state: 'ACTIVE',
      timestamp: expect.any(String),
      platform: 'node',
      role: 'relay',
    })
    expect(Number.isInteger(meta.body.uptime_seconds)).toBe(true)
    expect(meta.body.uptime_seconds).toBeGreaterThanOrEqual(0)
    expectRecentIso(meta.body.timestamp)

    // SIGTERM: graceful, exit 0
    relay.signal('SIGTERM')
    expect(await relay.exitWithin(8000)).toBe(0)
    expect(lines(relay.stdout).slice(4)).toEqual(['Relay stopped gracefully'])
  })

  test('a restarted relay with the same --home keeps its id', async () => {
    const relay = await startRelay()
    const first = { id: relay.id, peerId: relay.peerId }
    relay.signal('SIGTERM')
    expect(await relay.exitWithin(8000)).toBe(0)
    relay.start()
    expect(await started(relay, RELAY_STARTED)).toEqual(first)
  })

  test('a port in use fails with FR18.1 message and exit code 1', async () => {
    const relay = await startRelay()
    for (const role of ['relay', 'node']) {
      const r = await runCli([
        role,
        'start',
        '--port',
        String(relay.port),
        '--home',
        await home(role),
      ])
      expect(r, role).toEqual({ code: 1, stdout: '', stderr: portInUse(relay.port) })
    }
    // the relay that holds the port is unharmed
    expect((await getJson(relay.port, '/readyz')).status).toBe(200)
    // a port taken by some other program on 127.0.0.1
    const [port] = (await freePorts(1)) as [number]
    const other = createServer()
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve))
    try {
      const r = await runCli(['node', 'start', '--port', String(port), '--home', await home('n')])
      expect(r).toEqual({ code: 1, stdout: '', stderr: portInUse(port) })
    } finally {
      await new Promise((resolve) => other.close(resolve))
    }
  })
})

test.describe('configuration errors (FR1.4)', () => {
  test('an invalid --port fails with the range and a sample configuration', async () => {
    const dir = await home('node')
    const r = await runCli(['node', 'start', '--port', '99999', '--home', dir])
    const { problems, sample } = configReport(r)
    expect(problems).toEqual([
      '  network_port: Invalid port number (must be 1024-65535) [network_port_exceeds_limit]',
    ])
    expect(sample).toMatchObject({ network_port: 9000, max_peers: 32, max_memory_mb: 512 })
    // nothing started: no identity, no run record
    expect(existsSync(join(dir, 'config', 'node_identity.json'))).toBe(false)
    expect(existsSync(join(dir, 'run'))).toBe(false)
  })

  test('the sample configuration works as it is printed', async () => {
    const dir = await home('node')
    const { sample } = configReport(await runCli(['node', 'start', '--port', '1', '--home', dir]))
    // it names this home's data directory, not a "~" path that nothing expands
    expect(sample.storage_path).toBe(join(dir, 'data'))
    const file = join(dir, 'sample.json')
    await writeFile(file, JSON.stringify(sample))
    const cwd = await home('cwd')
    const [port] = (await freePorts(1)) as [number]
    const node = track(
      new CliProcess(
        ['node', 'start', '--config', file, '--port', String(port), '--home', dir],
        {},
        cwd,
      ),
    )
    node.start()
    await node.waitFor(NODE_STARTED)
    expect(await readdir(cwd)).toEqual([])
  })

  test('an unparseable P2P_AI_MAX_PEERS fails naming the variable', async () => {
    const r = await runCli(['node', 'start', '--home', await home('node')], {
      env: { P2P_AI_MAX_PEERS: 'abc' },
    })
    expect(configReport(r).problems).toEqual([
      '  P2P_AI_MAX_PEERS: P2P_AI_MAX_PEERS="abc" is not an integer [invalid_max_peers]',
    ])
  })

  test('every problem of a config file (and the flags) is listed at once', async () => {
    const dir = await home('node')
    const file = join(dir, 'bad.json')
    await writeFile(
      file,
      JSON.stringify({
        max_peers: 257,
        max_memory_mb: 64,
        log_level: 'LOUD',
        heartbeat_interval_secs: 0,
        relays: ['not a relay'],
      }),
    )
    const r = await runCli(['node', 'start', '--config', file, '--port', '80', '--home', dir])
    expect(configReport(r).problems.sort()).toEqual(
      [
        '  network_port: Invalid port number (must be 1024-65535) [network_port_below_minimum]',
        '  max_peers: max_peers must be 1-256, got 257 [max_peers_exceeds_limit]',
        '  max_memory_mb: max_memory_mb must be 128-16384, got 64 [max_memory_mb_below_minimum]',
        '  log_level: log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, got "LOUD" [invalid_log_level]',
        '  relays: relay "not a relay" is neither a multiaddr (/ip4/…, /dns4/…) nor an http(s) URL [invalid_relays]',
        '  heartbeat_interval_secs: heartbeat_interval_secs must be 1-300, got 0 [heartbeat_interval_secs_below_minimum]',
      ].sort(),
    )
  })

  test('a config file over the size cap fails with config_too_large', async () => {
    const dir = await home('node')
    const file = join(dir, 'huge.json')
    const text = `{"max_peers": 8${' '.repeat(1024 * 1024)}}`
    await writeFile(file, text)
    const r = await runCli(['node', 'start', '--config', file, '--home', dir])
    expect(configReport(r).problems).toEqual([
      `  ${file}: config file is ${Buffer.byteLength(text)} bytes; the maximum is 262144 bytes [config_too_large]`,
    ])
  })

  test('a missing --config file fails with config_unreadable', async () => {
    const dir = await home('node')
    const file = join(dir, 'missing.json')
    const r = await runCli(['node', 'start', '--config', file, '--home', dir])
    const { problems } = configReport(r)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toBe(
      `  ${file}: cannot read config file: ENOENT: no such file or directory, stat '${file}' [config_unreadable]`,
    )
  })

  test('a corrupt node_identity.json fails naming the file and is left as it was', async () => {
    const dir = await home('node')
    const file = join(dir, 'config', 'node_identity.json')
    await mkdir(join(dir, 'config'), { recursive: true, mode: 0o700 })
    const corrupt = '{"version": 1, "type": "Ed25519", "private_key": "CAESQ'
    await writeFile(file, corrupt, { mode: 0o600 })
    const before = await stat(file)
    const [port] = (await freePorts(1)) as [number]
    const r = await runCli(['node', 'start', '--port', String(port), '--home', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(lines(r.stderr).at(-1)).toMatch(
      new RegExp(
        `^error: node identity at ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is corrupt: not valid JSON \\(.+\\)\\. It was left untouched; restore it from a backup, or move it aside to generate a new identity \\(a new node id\\)\\.$`,
      ),
    )
    expect(await readFile(file, 'utf8')).toBe(corrupt)
    const after = await stat(file)
    expect([after.mode, after.mtimeMs, after.ino]).toEqual([
      before.mode,
      before.mtimeMs,
      before.ino,
    ])
    expect(existsSync(join(dir, 'run'))).toBe(false)
  })
})

test.describe('headless node', () => {
  test('node start prints its id, port and PID; --startup-diagnostics adds the timings', async () => {
    const relay = await startRelay()
    const plain = await startNode(relay.url)
    expect(lines(plain.stdout)).toEqual([
      `Node started (id: ${plain.id}, port: ${plain.port})`,
      `PID: ${plain.pid}`,
      `Peer ID: ${plain.peerId}`,
    ])
    // FR1.8 and FR1.3 on a node too
    expect(await getJson(plain.port, '/readyz')).toMatchObject({
      status: 200,
      body: { status: 'node_ready' },
    })
    expect(await getJson(plain.port, '/healthz')).toMatchObject({
      status: 200,
      body: { status: 'PASS' },
    })

    const diag = await startNode(relay.url, { args: ['--startup-diagnostics'] })
    await diag.waitFor(/^\}\n/m)
    const out = lines(diag.stdout)
    expect(out.slice(0, 3)).toEqual([
      `Node started (id: ${diag.id}, port: ${diag.port})`,
      `PID: ${diag.pid}`,
      `Peer ID: ${diag.peerId}`,
    ])
    const json = JSON.parse(out.slice(3).join('\n')) as {
      startup_diagnostics: Record<string, number | string[]>
    }
    expect(Object.keys(json)).toEqual(['startup_diagnostics'])
    const d = json.startup_diagnostics as {
      time_to_initializing: number
      time_to_registering: number
      time_to_active: number
      components_initialized: string[]
      any_errors_during_startup: string[]
    }
    expect(Object.keys(d)).toEqual([
      'time_to_initializing',
      'time_to_registering',
      'time_to_active',
      'components_initialized',
      'any_errors_during_startup',
    ])
    expect(d.time_to_initializing).toBeGreaterThanOrEqual(0)
    expect(d.time_to_registering).toBeGreaterThanOrEqual(d.time_to_initializing)
    expect(d.time_to_active).toBeGreaterThanOrEqual(d.time_to_registering)
    expect(d.time_to_active).toBeLessThan(3000)
    expect(d.components_initialized).toEqual([
      'config',
      'storage',
      'identity',
      'libp2p',
      'health',
      'mesh',
      'tracing',
      'tasks',
      'executor',
      'dispatcher',
      'load',
      'alerts',
    ])
    expect(d.any_errors_during_startup).toEqual([])
  })

  test('first start writes identity (0600) and config; a restart keeps the node id', async () => {
    const relay = await startRelay()
    const node = await startNode(relay.url)
    const configDir = join(node.home, 'config')
    const idFile = join(configDir, 'node_identity.json')
    const configFile = join(configDir, 'node_config.json')
    expect((await stat(configDir)).mode & 0o777).toBe(0o700)
    expect((await stat(idFile)).mode & 0o777).toBe(0o600)
    expect((await stat(configFile)).mode & 0o777).toBe(0o600)
    const identityText = await readFile(idFile, 'utf8')
    expect(JSON.parse(identityText)).toEqual({
      version: 1,
      type: 'Ed25519',
      private_key: expect.any(String),
      node_id: node.id,
      peer_id: node.peerId,
      created_at: expect.any(String),
    })
    const configText = await readFile(configFile, 'utf8')
    expect(JSON.parse(configText)).toMatchObject({
      network_port: 9000,
      max_peers: 32,
      storage_path: join(node.home, 'data'),
      relays: ['http://127.0.0.1:9000'],
    })

    node.signal('SIGTERM')
    expect(await node.exitWithin(8000)).toBe(0)
    node.start()
    expect(await started(node, NODE_STARTED)).toEqual({ id: node.id, peerId: node.peerId })
    expect(await readFile(idFile, 'utf8')).toBe(identityText)
    expect(await readFile(configFile, 'utf8')).toBe(configText)
  })

  test('two meshed nodes: peers, status, send and messages through the CLI', async () => {
    const relay = await startRelay()
    const a = await startNode(relay.url)
    const b = await startNode(relay.url)
    await expectMeshed(a, b)

    // node peers (text): B, direct over WebRTC, alive
    const peers = await runCli(['node', 'peers', '--home', a.home])
    expect([peers.code, peers.stderr]).toEqual([0, ''])
    const table = lines(peers.stdout).map((l) => l.split(/ {2,}/))
    expect(table[0]).toEqual([
      'PEER ID',
      'IP',
      'PORT',
      'TRANSPORT',
      'HEALTH',
      'CONNECTED',
      'SENT/RECV',
      'LAST HEARTBEAT',
    ])
    expect(table).toHaveLength(2)
    const row = table[1] as string[]
    expect(row).toHaveLength(8)
    // a WebRTC peer's own address is not known to libp2p: no IP/port rather than the relay's
    expect([row[0], row[1], row[2], row[3], row[4]]).toEqual([
      b.peerId,
      '-',
      '-',
      'webrtc',
      'ALIVE',
    ])
    expect(row[5]).toMatch(/^(\d+m )?\d+s$/)
    expect(row[6]).toMatch(/^\d+\/\d+$/)
    expect(row[7]).toMatch(/^(\d+s ago|-)$/)

    // node peers --json
    const peersJson = await runCli(['node', 'peers', '--json', '--home', a.home])
    expect(peersJson.code).toBe(0)
    const list = JSON.parse(peersJson.stdout) as PeerInfo[]
    expect(list.map((p) => [p.peerId, p.nodeId, p.transport, p.health])).toEqual([
      [b.peerId, b.id, 'webrtc', 'ALIVE'],
    ])

    // node status (text)
    const status = await runCli(['node', 'status', '--home', a.home])
    expect([status.code, status.stderr]).toEqual([0, ''])
    const statusLines = lines(status.stdout)
    expect(statusLines).toContain(`Node ID:        ${a.id}`)
    expect(statusLines).toContain(`Peer ID:        ${a.peerId}`)
    expect(statusLines).toContain('State:          ACTIVE')
    expect(statusLines).toContain('Peers:          1')
    expect(statusLines).toContain(`Version:        ${VERSION}`)

    // node status --json
    const statusJson = await runCli(['node', 'status', '--json', '--home', a.home])
    expect(statusJson.code).toBe(0)
    const s = JSON.parse(statusJson.stdout) as Record<string, unknown>
    expect(s).toEqual({
      node_id: a.id,
      peer_id: a.peerId,
      version: VERSION,
      state: 'ACTIVE',
      uptime_seconds: expect.any(Number),
      connected_peers: 1,
      memory_bytes: expect.any(Number),
      max_memory_mb: 512,
      cpu_percent: expect.any(Number),
      tasks_completed: 0,
      task_stats: {
        completed: 0,
        failed: 0,
        timed_out: 0,
        inference_calls: 0,
        inference_inputs: 0,
        inference_ms: 0,
        queued: 0,
        running: 0,
      },
      last_health_check: { status: 'PASS', timestamp: expect.any(String) },
      relays_connected: 1,
      port: a.port,
      pid: a.pid,
      timestamp: expect.any(String),
    })
    expect(s.memory_bytes).toBeGreaterThan(0)
    expectRecentIso(s.timestamp)
    expectRecentIso((s.last_health_check as { timestamp: string }).timestamp)

    // node send, then node messages on B
    const sent = await runCli(['node', 'send', b.peerId, 'hello', 'from', 'A', '--home', a.home])
    expect([sent.code, sent.stderr]).toEqual([0, ''])
    const delivered = /^Delivered ([0-9a-f-]{36}) in \d+ ms over 1 hop\n$/.exec(sent.stdout)
    expect(delivered, sent.stdout).not.toBeNull()
    const messages = await runCli(['node', 'messages', '--json', '--home', b.home])
    expect(messages.code).toBe(0)
    expect(JSON.parse(messages.stdout)).toEqual([
      {
        id: delivered?.[1],
        from: a.peerId,
        to: b.peerId,
        topic: 'chat',
        hops: 1,
        sentAt: expect.any(Number),
        receivedAt: expect.any(Number),
        text: 'hello from A',
      },
    ])
    const text = await runCli(['node', 'messages', '--home', b.home])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${a.peerId} \\(1 hop\\): hello from A\\n$`),
    )

    // a peer id nobody can reach (the relay is not a mesh peer)
    const lost = await runCli(['node', 'send', relay.peerId, 'x', '--home', a.home])
    expect(lost).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: no route to peer ${relay.peerId}: it is not connected and no neighbour knows a path to it\n`,
    })
  })

  test("a node's control routes answer its operator, not web pages", async () => {
    const relay = await startRelay()
    const node = await startNode(relay.url)
    const base = `http://127.0.0.1:${node.port}`
    const post = async (headers: Record<string, string>): Promise<number> =>
      (
        await fetch(`${base}/send`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ to: relay.peerId, text: 'x' }),
        })
      ).status
    // a simple cross-site request (no preflight) and a page's fetch are refused
    expect(await post({ 'Content-Type': 'text/plain' })).toBe(415)
    expect(await post({ 'Content-Type': 'application/json', Origin: 'https://evil.example' })).toBe(
      403,
    )
    // DNS rebinding: a foreign Host name on our address (fetch will not send another Host)
    expect(await statusWithHost(node.port, '/messages', 'evil.example')).toBe(403)
    expect(await statusWithHost(node.port, '/messages', `127.0.0.1:${node.port}`)).toBe(200)
    expect(
      (await fetch(`${base}/status`, { headers: { Origin: 'https://evil.example' } })).status,
    ).toBe(403)
    // the probes stay public
    expect(await statusWithHost(node.port, '/readyz', 'evil.example')).toBe(200)
  })

  test('a node without peers says so', async () => {
    const relay = await startRelay()
    const node = await startNode(relay.url)
    const args = ['--home', node.home]
    expect(await runCli(['node', 'peers', ...args])).toEqual({
      code: 0,
      stdout: 'No connected peers\n',
      stderr: '',
    })
    expect(await runCli(['node', 'peers', '--json', ...args])).toEqual({
      code: 0,
      stdout: '[]\n',
      stderr: '',
    })
    expect(await runCli(['node', 'messages', ...args])).toEqual({
      code: 0,
      stdout: 'No messages received\n',
      stderr: '',
    })
    const status = await runCli(['node', 'status', ...args])
    expect(lines(status.stdout)).toContain('Peers:          0')
  })
})

/** GET with a Host header of our choosing, which fetch() does not allow. */
async function statusWithHost(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
  })
}

test.describe('stopping (FR1.5)', () => {
  test('node stop stops the only running node of a home', async () => {
    const relay = await startRelay()
    const node = await startNode(relay.url)
    const runFile = join(node.home, 'run', `node-${node.port}.json`)
    expect(JSON.parse(await readFile(runFile, 'utf8'))).toEqual({
      pid: node.pid,
      port: node.port,
      node_id: node.id,
      peer_id: node.peerId,
      started_at: expect.any(String),
    })
    const t0 = Date.now()
    const r = await runCli(['node', 'stop', '--home', node.home])
    expect(r).toEqual({ code: 0, stdout: 'Node stopped gracefully\n', stderr: '' })
    expect(await node.exitWithin(8000 - (Date.now() - t0))).toBe(0)
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(lines(node.stdout).at(-1)).toBe('Node stopped gracefully')
    expect(existsSync(runFile)).toBe(false)
    // nothing left to talk to
    expect(await runCli(['node', 'status', '--home', node.home])).toEqual({
      code: 1,
      stdout: '',
      stderr: NO_NODE,
    })
  })

  test('two nodes in one home: stop needs --port, stop --all stops both', async () => {
    const dir = await home('shared')
    // no relay: both nodes share one identity, which a relay should not see twice
    const [p1, p2, nowhere] = (await freePorts(3)) as [number, number, number]
    const deadRelay = `http://127.0.0.1:${nowhere}`
    // one after the other, so that the second loads the identity the first created
    const n1 = await startNode(deadRelay, { home: dir, port: p1 })
    const n2 = await startNode(deadRelay, { home: dir, port: p2 })
    const [lo, hi] = [p1, p2].sort((x, y) => x - y)

    const ambiguous = await runCli(['node', 'stop', '--home', dir])
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stdout).toBe('')
    expect(lines(ambiguous.stderr)[0]).toBe(
      `error: 2 nodes are running (ports ${lo}, ${hi}); choose one with --port`,
    )
    // both still run
    for (const port of [p1, p2])
      expect((await runCli(['node', 'status', '--port', String(port), '--home', dir])).code).toBe(0)

    const t0 = Date.now()
    expect(await runCli(['node', 'stop', '--all', '--home', dir])).toEqual({
      code: 0,
      stdout: 'Stopped 2 nodes\n',
      stderr: '',
    })
    expect(await n1.exitWithin(8000)).toBe(0)
    expect(await n2.exitWithin(8000)).toBe(0)
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(await readdir(join(dir, 'run'))).toEqual([])
  })

  test('status, peers and stop fail clearly when no node runs', async () => {
    const dir = await home('empty')
    for (const command of ['status', 'peers', 'stop'])
      expect(await runCli(['node', command, '--home', dir]), command).toEqual({
        code: 1,
        stdout: '',
        stderr: NO_NODE,
      })
    const [port] = (await freePorts(1)) as [number]
    expect(await runCli(['node', 'status', '--port', String(port), '--home', dir])).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: no running node on port ${port}; start one with "p2p-ai-agents node start"\n`,
    })
    const low = await runCli(['node', 'status', '--port', '80', '--home', dir])
    expect([low.code, lines(low.stderr)[0]]).toEqual([
      2,
      'error: Invalid port number (must be 1024-65535)',
    ])
  })

  test('SIGTERM on an idle node stops it gracefully with exit code 0', async () => {
    const relay = await startRelay()
    const node = await startNode(relay.url)
    const t0 = Date.now()
    node.signal('SIGTERM')
    expect(await node.exitWithin(8000)).toBe(0)
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(lines(node.stdout).at(-1)).toBe('Node stopped gracefully')
    expect(existsSync(join(node.home, 'run', `node-${node.port}.json`))).toBe(false)
  })

  /**
   * A meshed with B, B frozen (SIGSTOP), and A in the middle of `node send` to B: a message
   * that can never be acknowledged, so an operation that cannot finish within the grace period.
   */
  async function sendToFrozenPeer(): Promise<{ a: Node; b: Node; send: CliProcess }> {
    const relay = await startRelay()
    const a = await startNode(relay.url)
    const b = await startNode(relay.url)
    await expectMeshed(a, b)
    b.signal('SIGSTOP')
    const send = track(new CliProcess(['node', 'send', b.peerId, 'x', '--home', a.home]))
    send.start()
    // in flight: A has written the message to its link to B
    await expect
      .poll(
        async () =>
          (await a.api<PeerInfo[]>('/peers')).find((p) => p.peerId === b.peerId)?.messagesSent,
        { timeout: 10_000, intervals: [50] },
      )
      .toBeGreaterThanOrEqual(1)
    return { a, b, send }
  }

  test('an operation that outlives the 5 s grace period is cut off: exit code 130', async () => {
    const { a, send } = await sendToFrozenPeer()
    const t0 = Date.now()
    a.signal('SIGTERM')
    const code = await a.exitWithin(12_000)
    const ms = Date.now() - t0
    test.info().annotations.push({ type: 'hard_stop_ms', description: String(ms) })
    expect(code).toBe(130)
    expect(ms).toBeGreaterThanOrEqual(4900) // it did wait out the grace period
    expect(ms).toBeLessThan(8500)
    expect(a.stderr).toContain(
      '"msg":"operations did not finish within the grace period; stopping them"',
    )
    expect(a.stdout).not.toContain('stopped gracefully')
    // the cut-off send reports the shutdown
    expect(await send.exitWithin(5000)).toBe(1)
    expect(send.stderr).toBe(
      'error: the node stopped: operation cut off after the 5000 ms grace period\n',
    )
  })

  test('node stop says so when a node had to cut off operations', async () => {
    const { a } = await sendToFrozenPeer()
    const r = await runCli(['node', 'stop', '--port', String(a.port), '--home', a.home], {
      timeoutMs: 15_000,
    })
    expect(r).toEqual({
      code: 0,
      stdout:
        'Node stopped, but in-flight operations were cut off after the 5 s grace period (exit 130)\n',
      stderr: '',
    })
    expect(await a.exitWithin(1000)).toBe(130)
    expect(await readdir(join(a.home, 'run'))).toEqual([])
  })

  test('a second SIGTERM during shutdown exits 130 at once', async () => {
    const { a } = await sendToFrozenPeer()
    const t0 = Date.now()
    a.signal('SIGTERM')
    // the first signal was taken: A now waits up to 5 s for the send
    await expect
      .poll(() => a.stderr.includes('"msg":"received signal; shutting down"'), {
        timeout: 3000,
        intervals: [25],
      })
      .toBe(true)
    const t1 = Date.now()
    a.signal('SIGTERM')
    expect(await a.exitWithin(3000)).toBe(130)
    expect(Date.now() - t1).toBeLessThan(1500)
    expect(Date.now() - t0).toBeLessThan(4000) // well inside the grace period
    expect(a.stderr).toContain('"msg":"second signal: exiting now"')
  })
})
