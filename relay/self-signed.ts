/**
 * `--tls self-signed`: a certificate for this host's names and addresses, kept under the node's
 * home and reused on the next start while it still names every one of them (and is not about to
 * expire), so a browser that accepted it once keeps accepting it. Made by the `selfsigned`
 * package: an EC P-256 key, SHA-256 signature, valid for a year.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import type { NetworkInterfaceInfo } from 'node:os'
import { hostname, networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import { writeFileAtomic } from '../src/store/file-storage.js'
import type { TlsMaterial } from './tls.js'

/** The names a certificate must carry: DNS names and IP addresses. */
export interface HostNames {
  dns: string[]
  ips: string[]
}

const DAY_MS = 24 * 60 * 60 * 1000
/** validity of a new certificate */
const VALID_DAYS = 365
/** a certificate closer than this to its end is made anew */
const RENEW_BEFORE_DAYS = 30

/** This host's names: its hostname and localhost, and every interface address (loopback too). */
export function hostNames(
  name: string = hostname(),
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): HostNames {
  const dns = [...new Set(['localhost', name].filter((n) => n.length > 0))]
  const ips = new Set<string>(['127.0.0.1'])
  for (const info of Object.values(interfaces).flat()) if (info != null) ips.add(info.address)
  return { dns, ips: [...ips] }
}

/** Where the certificate and key are kept under `home`. */
export function selfSignedPaths(home: string): { cert: string; key: string } {
  const dir = join(home, 'tls')
  return { cert: join(dir, 'self-signed-cert.pem'), key: join(dir, 'self-signed-key.pem') }
}

export interface SelfSignedCertificate extends TlsMaterial {
  /** true when the kept certificate was used, false when one was made now */
  reused: boolean
}

/**
 * The self-signed certificate under `home` if it names all of `names` and stays valid for a
 * while after `now`; else a new one for `names`, written there (the key with mode 0600).
 */
export async function selfSignedCertificate(
  home: string,
  names: HostNames,
  now: Date = new Date(),
): Promise<SelfSignedCertificate> {
  const paths = selfSignedPaths(home)
  const kept = await readKept(paths)
  if (kept != null && covers(kept.x509, names) && fresh(kept.x509, now)) {
    return {
      cert: kept.cert,
      key: kept.key,
      fingerprint256: kept.x509.fingerprint256,
      certPath: paths.cert,
      reused: true,
    }
  }
  const made = await generate([{ name: 'commonName', value: names.dns[1] ?? names.dns[0] ?? '' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    // a day back: a phone whose clock is a little behind still accepts it
    notBeforeDate: new Date(now.getTime() - DAY_MS),
    notAfterDate: new Date(now.getTime() + VALID_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.dns.map((value) => ({ type: 2 as const, value })),
          ...names.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  })
  await mkdir(join(home, 'tls'), { recursive: true, mode: 0o700 })
  await writeFileAtomic(paths.key, made.private, 0o600)
  await writeFileAtomic(paths.cert, made.cert, 0o644)
  return {
    cert: made.cert,
    key: made.private,
    fingerprint256: new X509Certificate(made.cert).fingerprint256,
    certPath: paths.cert,
    reused: false,
  }
}

/** The kept certificate and its key, or nothing if either is missing, unreadable or they differ. */
async function readKept(paths: {
  cert: string
  key: string
}): Promise<{ cert: string; key: string; x509: X509Certificate } | undefined> {
  try {
    const [cert, key] = await Promise.all([
      readFile(paths.cert, 'utf8'),
      readFile(paths.key, 'utf8'),
    ])
    const x509 = new X509Certificate(cert)
    // a key put there by hand that does not belong to the certificate: make both anew
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined
    return { cert, key, x509 }
  } catch {
    return undefined
  }
}

/** Does the certificate name every DNS name and IP address (in its SANs, not its subject)? */
export function covers(x509: X509Certificate, names: HostNames): boolean {
  return (
    names.dns.every((n) => x509.checkHost(n, { subject: 'never', wildcards: false }) != null) &&
    names.ips.every((ip) => x509.checkIP(ip) != null)
  )
}

function fresh(x509: X509Certificate, now: Date): boolean {
  const from = Date.parse(x509.validFrom)
  const to = Date.parse(x509.validTo)
  return from <= now.getTime() && now.getTime() + RENEW_BEFORE_DAYS * DAY_MS < to
}
