import { X509Certificate } from 'node:crypto'
import { readFile, stat, writeFile } from 'node:fs/promises'
import type { NetworkInterfaceInfo } from 'node:os'
import { generate } from 'selfsigned'
import { describe, expect, it } from 'vitest'
import type { HostNames } from '../../relay/self-signed.js'
import {
  covers,
  hostNames,
  selfSignedCertificate,
  selfSignedPaths,
} from '../../relay/self-signed.js'
import { tempDirs } from '../store/temp-dirs.js'

const newHome = tempDirs('p2p-self-signed-')
const NOW = new Date('2030-06-01T12:00:00Z')
const DAY = 24 * 60 * 60 * 1000
const NAMES: HostNames = {
  dns: ['localhost', 'studio'],
  ips: ['127.0.0.1', '::1', '192.168.1.20', 'fd00::20'],
}

function iface(address: string, internal = false): NetworkInterfaceInfo {
  const v6 = address.includes(':')
  return {
    address,
    netmask: v6 ? 'ffff:ffff:ffff:ffff::' : '255.255.255.0',
    family: v6 ? 'IPv6' : 'IPv4',
    mac: '00:00:00:00:00:00',
    internal,
    cidr: null,
    ...(v6 ? { scopeid: 0 } : {}),
  } as NetworkInterfaceInfo
}

describe('hostNames', () => {
  it('names localhost, the hostname, 127.0.0.1 and every interface address', () => {
    const names = hostNames('studio', {
      lo: [iface('127.0.0.1', true), iface('::1', true)],
      wlan0: [iface('192.168.1.20'), iface('fe80::1c2:3ff:fe44:5566')],
      eth0: [iface('10.0.0.7'), iface('fd00::20')],
    })
    expect(names.dns).toEqual(['localhost', 'studio'])
    expect(names.ips.sort()).toEqual(
      [
        '10.0.0.7',
        '127.0.0.1',
        '192.168.1.20',
        '::1',
        'fd00::20',
        'fe80::1c2:3ff:fe44:5566',
      ].sort(),
    )
  })

  it('has 127.0.0.1 even where no interface lists it', () => {
    expect(hostNames('box', {}).ips).toEqual(['127.0.0.1'])
  })
})

describe('selfSignedCertificate', () => {
  it('makes a certificate whose SANs name every given name and address, and keeps it in the home', async () => {
    const home = await newHome()
    const made = await selfSignedCertificate(home, NAMES, NOW)
    expect(made.reused).toBe(false)
    const x509 = new X509Certificate(made.cert)
    expect(x509.subjectAltName).toBe(
      'DNS:localhost, DNS:studio, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.168.1.20, IP Address:FD00:0:0:0:0:0:0:20',
    )
    expect(covers(x509, NAMES)).toBe(true)
    expect(x509.checkIP('192.168.1.21')).toBeUndefined()
    expect(made.fingerprint256).toBe(x509.fingerprint256)
    expect(made.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    expect(Date.parse(x509.validFrom)).toBeLessThanOrEqual(NOW.getTime())
    expect(Date.parse(x509.validTo)).toBeGreaterThan(NOW.getTime() + 300 * DAY)
    // a server certificate, not a CA
    expect(x509.ca).toBe(false)

    const paths = selfSignedPaths(home)
    expect(made.certPath).toBe(paths.cert)
    expect(await readFile(paths.cert, 'utf8')).toBe(made.cert)
    expect(await readFile(paths.key, 'utf8')).toBe(made.key)
    expect((await stat(paths.key)).mode & 0o777).toBe(0o600)
  })

  it('reuses the kept certificate while the names are the same', async () => {
    const home = await newHome()
    const first = await selfSignedCertificate(home, NAMES, NOW)
    const again = await selfSignedCertificate(home, NAMES, new Date(NOW.getTime() + 30 * DAY))
    expect(again.reused).toBe(true)
    expect(again.fingerprint256).toBe(first.fingerprint256)
    expect(again.cert).toBe(first.cert)
    expect(again.key).toBe(first.key)
  })

  it('reuses it when an address is gone (it still names every one there is)', async () => {
    const home = await newHome()
    const first = await selfSignedCertificate(home, NAMES, NOW)
    const fewer = { dns: NAMES.dns, ips: ['127.0.0.1', '192.168.1.20'] }
    const again = await selfSignedCertificate(home, fewer, NOW)
    expect(again.reused).toBe(true)
    expect(again.fingerprint256).toBe(first.fingerprint256)
  })

  it('makes a new one when an address is new', async () => {
    const home = await newHome()
    const first = await selfSignedCertificate(home, NAMES, NOW)
    const moved = { dns: NAMES.dns, ips: [...NAMES.ips, '10.1.2.3'] }
    const again = await selfSignedCertificate(home, moved, NOW)
    expect(again.reused).toBe(false)
    expect(again.fingerprint256).not.toBe(first.fingerprint256)
    expect(new X509Certificate(again.cert).checkIP('10.1.2.3')).toBe('10.1.2.3')
    // and that one is kept from now on
    expect((await selfSignedCertificate(home, moved, NOW)).fingerprint256).toBe(
      again.fingerprint256,
    )
  })

  it('makes a new one when the hostname changes', async () => {
    const home = await newHome()
    const first = await selfSignedCertificate(home, NAMES, NOW)
    const renamed = { dns: ['localhost', 'workshop'], ips: NAMES.ips }
    const again = await selfSignedCertificate(home, renamed, NOW)
    expect(again.reused).toBe(false)
    expect(again.fingerprint256).not.toBe(first.fingerprint256)
    const x509 = new X509Certificate(again.cert)
    expect(x509.checkHost('workshop', { subject: 'never' })).toBe('workshop')
    expect(x509.checkHost('studio', { subject: 'never' })).toBeUndefined()
  })

  it('makes a new one a month before the kept one ends', async () => {
    const home = await newHome()
    const first = await selfSignedCertificate(home, NAMES, NOW)
    const late = new Date(Date.parse(new X509Certificate(first.cert).validTo) - 29 * DAY)
    const again = await selfSignedCertificate(home, NAMES, late)
    expect(again.reused).toBe(false)
    expect(Date.parse(new X509Certificate(again.cert).validTo)).toBeGreaterThan(
      late.getTime() + 300 * DAY,
    )
  })

  it('makes a new one when the kept key is not the certificate’s', async () => {
    const home = await newHome()
    const first = await selfSignedCertificate(home, NAMES, NOW)
    const other = await generate([{ name: 'commonName', value: 'other' }], { keyType: 'ec' })
    await writeFile(selfSignedPaths(home).key, other.private)
    const again = await selfSignedCertificate(home, NAMES, NOW)
    expect(again.reused).toBe(false)
    expect(again.fingerprint256).not.toBe(first.fingerprint256)
  })

  it('makes a new one when the kept certificate is unreadable', async () => {
    const home = await newHome()
    await selfSignedCertificate(home, NAMES, NOW)
    await writeFile(selfSignedPaths(home).cert, 'not a certificate')
    const again = await selfSignedCertificate(home, NAMES, NOW)
    expect(again.reused).toBe(false)
    expect(covers(new X509Certificate(again.cert), NAMES)).toBe(true)
  })
})
