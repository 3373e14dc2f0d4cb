/**
 * The snapshot holds no secret: the identity's private key in none of the encodings it could be
 * written in, no ICE credential, no password in a URL; and what is not secret is kept.
 */
import { privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { REDACTED } from '../../src/core/debug.js'
import type { LogEntry } from '../../src/core/log.js'
import { encodeRecord } from '../../src/node/identity.js'
import { encodings, identitySecrets, redact } from '../../src/obs/redact.js'
import { buildSnapshot } from '../../src/obs/snapshot.js'
import { fakeNode, fakePeer } from './fake-node.js'

const ICE_CREDENTIAL = 'turn-credential-7f3a9c1e55b0'
const ICE_USERNAME = '1733011200:turn-user-c0ffee'
const URL_PASSWORD = 'relay-basic-auth-pw-91b2'
const MESH_KEY = 'our-mesh-key-5d1e0c7b9a'

async function setup() {
  const self = await fakePeer()
  const other = await fakePeer()
  const record = encodeRecord(self.key, new Date().toISOString())
  const protobuf = privateKeyToProtobuf(self.key)
  const raw = self.key.raw
  // every form the key could appear in: the file's base64 protobuf, and the raw key and seed
  const forms = [protobuf, raw, raw.subarray(0, 32)].flatMap(encodings)
  const node = fakeNode({
    self,
    neighbours: [other],
    config: {
      ice_servers: [
        { urls: 'stun:stun.example.org' },
        { urls: ['turn:turn.example.org'], username: ICE_USERNAME, credential: ICE_CREDENTIAL },
      ],
      relays: [`https://operator:${URL_PASSWORD}@relay.example.org:9000`],
      mesh_key: MESH_KEY,
      // a host that put the key where it has no business being
      ...({ private_key: record.private_key } as object),
    },
  })
  const hexSeed = Buffer.from(raw.subarray(0, 32)).toString('hex')
  const logs: LogEntry[] = [
    { timestamp: '2026-01-01T00:00:00.000Z', level: 'INFO', component: 'node', msg: 'started' },
    {
      timestamp: '2026-01-01T00:00:01.000Z',
      level: 'DEBUG',
      component: 'node',
      msg: 'loaded',
      identity: record,
    },
    {
      timestamp: '2026-01-01T00:00:02.000Z',
      level: 'ERROR',
      component: 'node',
      msg: `bad key ${hexSeed}`,
      error: new Error(`cannot use ${record.private_key}`),
      bytes: protobuf,
    },
  ]
  return { node, record, forms, logs, other, hexSeed }
}

describe('debug snapshot', () => {
  it('holds neither the private key in any encoding nor an ICE credential nor a URL password', async () => {
    const { node, record, forms, logs } = await setup()
    const snapshot = await buildSnapshot(node, {
      platform: 'node',
      logs: () => logs,
      host: () => ({
        metrics: '# HELP p2p_ai_uptime_seconds x\np2p_ai_uptime_seconds 3\n',
        // a tab's address: how a browser is given the key
        location: `http://127.0.0.1:9000/?mesh_key=${MESH_KEY}`,
      }),
      secrets: () => identitySecrets(record),
    })
    const text = JSON.stringify(snapshot)
    expect(forms.length).toBeGreaterThanOrEqual(18)
    for (const form of forms) expect(text).not.toContain(form)
    expect(text).not.toContain(ICE_CREDENTIAL)
    expect(text).not.toContain(ICE_USERNAME)
    expect(text).not.toContain(URL_PASSWORD)
    expect(text).not.toContain(MESH_KEY)
    expect(text).toContain(REDACTED)
  })

  it('keeps what is not secret: config, peers, logs, tasks, health and the host part', async () => {
    const { node, record, logs, other } = await setup()
    const snapshot = await buildSnapshot(node, {
      platform: 'node',
      logs: () => logs,
      host: () => ({ metrics: 'p2p_ai_uptime_seconds 3\n' }),
      secrets: () => identitySecrets(record),
    })
    expect(snapshot.snapshot_version).toBe(1)
    expect(snapshot.node_id).toBe(node.nodeId)
    expect(snapshot.config.dial_private_addresses).toBe(true)
    expect(snapshot.config.max_message_bytes).toBe(node.config.max_message_bytes)
    expect(snapshot.config.ice_servers[1]?.urls).toEqual(['turn:turn.example.org'])
    expect(snapshot.config.relays[0]).toBe(`https://${REDACTED}@relay.example.org:9000`)
    expect(snapshot.peers.map((p) => p.peerId)).toEqual([other.peerId])
    expect(snapshot.logs.map((l) => l.msg)).toEqual(['started', 'loaded', `bad key ${REDACTED}`])
    expect(snapshot.logs[2]?.bytes).toMatch(/^\[\d+ bytes\]$/)
    expect(snapshot.health?.status).toBe('PASS')
    expect(snapshot.host?.metrics).toContain('p2p_ai_uptime_seconds')
    // a snapshot is plain JSON: it survives a round trip unchanged
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot)
  })

  it('needs the identity secrets to scrub a key written as text into a log line', async () => {
    const { logs, record, hexSeed } = await setup()
    // the key-name rules alone cannot see it: this is what the host's secrets are for
    expect(JSON.stringify(redact(logs))).toContain(hexSeed)
    expect(JSON.stringify(redact(logs, { secrets: identitySecrets(record) }))).not.toContain(
      hexSeed,
    )
  })

  it('keeps the most recent log entries only', async () => {
    const { node } = await setup()
    const many: LogEntry[] = Array.from({ length: 1500 }, (_, i) => ({
      timestamp: '',
      level: 'INFO',
      component: 'x',
      msg: `line ${i}`,
    }))
    const snapshot = await buildSnapshot(node, { platform: 'browser', logs: () => many })
    expect(snapshot.logs).toHaveLength(1000)
    expect(snapshot.logs[999]?.msg).toBe('line 1499')
  })
})
