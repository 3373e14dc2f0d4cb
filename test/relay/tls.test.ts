import { chmod, writeFile } from 'node:fs/promises'
import type { NetworkInterfaceInfo } from 'node:os'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { errorCode } from '../../src/core/errors.js'
import { parseCommandLine } from '../../relay/cli-args.js'
import { report } from '../../relay/cli-report.js'
import {
  bindHostOf,
  DEFAULT_HOST,
  lanUrls,
  listenAddress,
  readTlsFiles,
  tlsChoiceOf,
} from '../../relay/tls.js'
import { tempDirs } from '../store/temp-dirs.js'

const newDir = tempDirs('p2p-tls-')

function values(...argv: string[]): ReturnType<typeof parseCommandLine>['values'] {
  return parseCommandLine(['relay', 'start', ...argv]).values
}

/** The error `fn` throws (sync or async), for its code and message. */
async function failure(fn: () => unknown): Promise<Error> {
  try {
    await fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a failure')
}

/** What the CLI would print and exit with for `err`. */
function reported(err: unknown): { exit: number; output: string } {
  const lines: string[] = []
  const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    lines.push(args.join(' '))
  })
  try {
    return { exit: report(err, '/tmp/data'), output: lines.join('\n') }
  } finally {
    spy.mockRestore()
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('--host', () => {
  it('is loopback by default', () => {
    expect(DEFAULT_HOST).toBe('127.0.0.1')
    expect(bindHostOf(values())).toBe('127.0.0.1')
  })

  it('takes IPv4 and IPv6 addresses', () => {
    for (const host of ['0.0.0.0', '192.168.1.20', '::', '::1', 'fd00::20'])
      expect(bindHostOf(values('--host', host))).toBe(host)
  })

  it('refuses anything else as a wrong use (exit 2, naming the flag)', async () => {
    for (const host of ['localhost', 'my-laptop', '256.1.1.1', '0.0.0.0:9000', '', '[::1]']) {
      const err = await failure(() => bindHostOf(values('--host', host)))
      expect(errorCode(err)).toBe('usage')
      expect(err.message).toContain('--host must be an IP address')
      expect(err.message).toContain(`"${host}"`)
      const { exit, output } = reported(err)
      expect(exit).toBe(2)
      expect(output).toContain('usage:')
    }
  })

  it('makes the WebSocket listen address (/tls/ws under TLS)', () => {
    expect(listenAddress('127.0.0.1', 9000, false)).toBe('/ip4/127.0.0.1/tcp/9000/ws')
    expect(listenAddress('0.0.0.0', 9443, true)).toBe('/ip4/0.0.0.0/tcp/9443/tls/ws')
    expect(listenAddress('::', 9443, true)).toBe('/ip6/::/tcp/9443/tls/ws')
  })
})

describe('TLS flags', () => {
  it('no flags: no TLS', () => {
    expect(tlsChoiceOf(values(), 'relay')).toBeUndefined()
    expect(tlsChoiceOf(values(), 'peer')).toBeUndefined()
  })

  it('--tls self-signed, or a certificate and its key', () => {
    expect(tlsChoiceOf(values('--tls', 'self-signed'), 'relay')).toEqual({ kind: 'self-signed' })
    expect(tlsChoiceOf(values('--tls-cert', 'c.pem', '--tls-key', 'k.pem'), 'relay')).toEqual({
      kind: 'files',
      certPath: 'c.pem',
      keyPath: 'k.pem',
    })
  })

  const wrong: Array<[string, string[], RegExp]> = [
    ['--tls-cert without --tls-key', ['--tls-cert', 'c.pem'], /--tls-cert needs --tls-key FILE/],
    ['--tls-key without --tls-cert', ['--tls-key', 'k.pem'], /--tls-key needs --tls-cert FILE/],
    ['an unknown --tls value', ['--tls', 'on'], /--tls takes "self-signed" \(got "on"\)/],
    [
      '--tls self-signed with files',
      ['--tls', 'self-signed', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'],
      /leave out --tls-cert and --tls-key/,
    ],
  ]
  for (const [what, argv, message] of wrong) {
    it(`${what} is a wrong use (exit 2)`, async () => {
      const err = await failure(() => tlsChoiceOf(values(...argv), 'relay'))
      expect(errorCode(err)).toBe('usage')
      expect(err.message).toMatch(message)
      expect(reported(err).exit).toBe(2)
    })
  }

  it('a headless node does not take them', async () => {
    const err = await failure(() => tlsChoiceOf(values('--tls', 'self-signed'), 'peer'))
    expect(errorCode(err)).toBe('usage')
    expect(err.message).toMatch(/are for "relay start"/)
  })

  it('--tls without a value is a wrong use', async () => {
    const err = await failure(() => parseCommandLine(['relay', 'start', '--tls']))
    expect(errorCode(err)).toBe('usage')
  })
})

describe('readTlsFiles', () => {
  async function pair(dir: string, name: string): Promise<{ cert: string; key: string }> {
    const made = await generate([{ name: 'commonName', value: name }], { keyType: 'ec' })
    const cert = join(dir, `${name}-cert.pem`)
    const key = join(dir, `${name}-key.pem`)
    await writeFile(cert, made.cert)
    await writeFile(key, made.private)
    return { cert, key }
  }

  it('reads a certificate and its key, with the SHA-256 fingerprint', async () => {
    const dir = await newDir()
    const { cert, key } = await pair(dir, 'relay')
    const tls = await readTlsFiles(cert, key)
    expect(tls.cert).toContain('BEGIN CERTIFICATE')
    expect(tls.key).toContain('PRIVATE KEY')
    expect(tls.certPath).toBe(cert)
    expect(tls.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
  })

  it('a missing or unreadable file: tls_unreadable naming it (exit 1)', async () => {
    const dir = await newDir()
    const { cert, key } = await pair(dir, 'relay')
    const missing = join(dir, 'missing.pem')
    let err = await failure(async () => readTlsFiles(missing, key))
    expect(errorCode(err)).toBe('tls_unreadable')
    expect(err.message).toContain(`cannot read the TLS certificate ${missing}`)
    const { exit, output } = reported(err)
    expect(exit).toBe(1)
    expect(output).toMatch(/^error: cannot read the TLS certificate/)
    err = await failure(async () => readTlsFiles(cert, dir)) // a directory
    expect(errorCode(err)).toBe('tls_unreadable')
    expect(err.message).toContain(`cannot read the TLS key ${dir}`)
    if (process.getuid?.() !== 0) {
      // root reads anything: this part only runs as another user
      await chmod(key, 0o000)
      expect(errorCode(await failure(async () => readTlsFiles(cert, key)))).toBe('tls_unreadable')
    }
  })

  it('not a certificate, not a key, or a key of another certificate: tls_invalid (exit 1)', async () => {
    const dir = await newDir()
    const a = await pair(dir, 'a')
    const b = await pair(dir, 'b')
    const junk = join(dir, 'junk.pem')
    await writeFile(junk, 'hello')
    const cases: Array<[string, string, RegExp]> = [
      [junk, a.key, /is not a PEM certificate/],
      [a.key, a.key, /is not a PEM certificate/],
      [a.cert, junk, /is not a PEM private key/],
      [a.cert, a.cert, /is not a PEM private key/],
      [a.cert, b.key, /is not the private key of/],
    ]
    for (const [cert, key, message] of cases) {
      const err = await failure(async () => readTlsFiles(cert, key))
      expect(errorCode(err)).toBe('tls_invalid')
      expect(err.message).toMatch(message)
      expect(reported(err).exit).toBe(1)
    }
  })
})

describe('lanUrls', () => {
  const interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = {
    lo: [
      { address: '127.0.0.1', family: 'IPv4', internal: true },
      { address: '::1', family: 'IPv6', internal: true },
    ] as NetworkInterfaceInfo[],
    wlan0: [
      { address: '192.168.1.20', family: 'IPv4', internal: false },
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: 'fd00::20', family: 'IPv6', internal: false },
    ] as NetworkInterfaceInfo[],
  }

  it('one URL per LAN address on a wildcard, none on loopback, the address itself otherwise', () => {
    expect(lanUrls('0.0.0.0', 9443, 'https', interfaces)).toEqual(['https://192.168.1.20:9443/'])
    expect(lanUrls('::', 9443, 'https', interfaces)).toEqual(['https://[fd00::20]:9443/'])
    expect(lanUrls('127.0.0.1', 9443, 'https', interfaces)).toEqual([])
    expect(lanUrls('::1', 9443, 'https', interfaces)).toEqual([])
    expect(lanUrls('192.168.1.20', 9000, 'http', interfaces)).toEqual(['http://192.168.1.20:9000/'])
  })
})
