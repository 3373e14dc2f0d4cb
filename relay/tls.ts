/**
 * Joining from another device: the bind address (`--host`, any node) and TLS for a relay
 * (`--tls-cert FILE --tls-key FILE`, or `--tls self-signed`). The flags are checked before
 * anything starts; a wrong use is a `usage` error, files that cannot be read `tls_unreadable`,
 * a certificate or key that is not one, or a pair that does not belong together, `tls_invalid`.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import type { NetworkInterfaceInfo } from 'node:os'
import { networkInterfaces } from 'node:os'
import type { NodeRole } from '../src/core/types.js'
import type { Values } from './cli-args.js'
import { CliError } from './cli-errors.js'

/** Loopback: this machine only. 0.0.0.0 opens the port to the LAN. */
export const DEFAULT_HOST = '127.0.0.1'

/** A certificate and key the relay serves HTTPS and WSS with. */
export interface TlsMaterial {
  /** PEM certificate (chain) */
  cert: string
  /** PEM private key */
  key: string
  /** SHA-256 fingerprint of the certificate, "AB:CD:…" */
  fingerprint256: string
  /** where the certificate is kept */
  certPath: string
}

/** What the flags ask for. */
export type TlsChoice =
  { kind: 'files'; certPath: string; keyPath: string } | { kind: 'self-signed' }

/** The bind address: --host (an IPv4 or IPv6 address), else loopback. */
export function bindHostOf(values: Values): string {
  const host = values.host
  if (host == null) return DEFAULT_HOST
  if (isIP(host) === 0) {
    throw new CliError(
      'usage',
      `--host must be an IP address to listen on, such as ${DEFAULT_HOST} (this machine only, the default) or 0.0.0.0 (every interface: the LAN); got "${host}"`,
    )
  }
  return host
}

/** The TLS the flags ask for (none without them); only a relay serves TLS. */
export function tlsChoiceOf(values: Values, role: NodeRole): TlsChoice | undefined {
  const { tls } = values
  const certPath = values['tls-cert']
  const keyPath = values['tls-key']
  if (tls == null && certPath == null && keyPath == null) return undefined
  if (role !== 'relay') {
    throw new CliError(
      'usage',
      '--tls, --tls-cert and --tls-key are for "relay start" (a headless node answers its commands over plain HTTP on 127.0.0.1)',
    )
  }
  if (tls != null) {
    if (tls !== 'self-signed')
      throw new CliError(
        'usage',
        `--tls takes "self-signed" (got "${tls}"); for your own certificate use --tls-cert FILE --tls-key FILE`,
      )
    if (certPath != null || keyPath != null)
      throw new CliError(
        'usage',
        '--tls self-signed makes its own certificate: leave out --tls-cert and --tls-key',
      )
    return { kind: 'self-signed' }
  }
  if (certPath == null || keyPath == null) {
    throw new CliError(
      'usage',
      `${certPath == null ? '--tls-key' : '--tls-cert'} needs ${certPath == null ? '--tls-cert FILE' : '--tls-key FILE'} too (the certificate and its private key, PEM)`,
    )
  }
  return { kind: 'files', certPath, keyPath }
}

/** Reads and checks a PEM certificate and its private key. */
export async function readTlsFiles(certPath: string, keyPath: string): Promise<TlsMaterial> {
  const read = async (path: string, what: string): Promise<string> => {
    try {
      return await readFile(path, 'utf8')
    } catch (err) {
      throw new CliError(
        'tls_unreadable',
        `cannot read the TLS ${what} ${path}: ${(err as Error).message}`,
        { cause: err },
      )
    }
  }
  const [cert, key] = [await read(certPath, 'certificate'), await read(keyPath, 'key')]
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(cert)
  } catch (err) {
    throw new CliError('tls_invalid', `${certPath} is not a PEM certificate`, { cause: err })
  }
  let matches: boolean
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key))
  } catch (err) {
    throw new CliError('tls_invalid', `${keyPath} is not a PEM private key (or it is encrypted)`, {
      cause: err,
    })
  }
  if (!matches)
    throw new CliError('tls_invalid', `${keyPath} is not the private key of ${certPath}`)
  return { cert, key, fingerprint256: x509.fingerprint256, certPath }
}

/** The libp2p WebSocket listen address on `host`: /tls/ws (HTTPS + WSS) with TLS. */
export function listenAddress(host: string, port: number, tls: boolean): string {
  return `/${isIP(host) === 6 ? 'ip6' : 'ip4'}/${host}/tcp/${port}/${tls ? 'tls/ws' : 'ws'}`
}

/** Is `host` a wildcard (every interface) or a loopback address? */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::'
}

export function isLoopbackHost(host: string): boolean {
  return /^127\./.test(host) || host === '::1'
}

/**
 * The URLs other devices open to reach a node bound to `host`: one per LAN address of this
 * machine for a wildcard (IPv4 for 0.0.0.0, IPv6 but not link-local for ::), `host` itself for
 * another address, none for loopback.
 */
export function lanUrls(
  host: string,
  port: number,
  scheme: 'http' | 'https',
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  if (isLoopbackHost(host)) return []
  const url = (ip: string): string => `${scheme}://${isIP(ip) === 6 ? `[${ip}]` : ip}:${port}/`
  if (!isWildcard(host)) return [url(host)]
  const family = host === '::' ? 'IPv6' : 'IPv4'
  const out: string[] = []
  for (const info of Object.values(interfaces).flat()) {
    if (info == null || info.internal || info.family !== family) continue
    if (family === 'IPv6' && /^fe80:/i.test(info.address)) continue // needs a zone: not for a URL
    out.push(url(info.address))
  }
  return [...new Set(out)]
}
