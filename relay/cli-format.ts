/** Human output of the command line: tables, durations, plurals and peer-supplied text. */

/** Peer-supplied text without control characters (no terminal escapes, one line per message). */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
}

/** `1 hop`, `2 hops`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`
}

/** The IP address and port of a multiaddr, `-` for what it does not have. */
export function addressOf(ma: string): { ip: string; port: string } {
  const parts = ma.split('/')
  const ipAt = parts.findIndex((p) => p === 'ip4' || p === 'ip6' || p === 'dns4')
  const portAt = parts.findIndex((p) => p === 'tcp' || p === 'udp')
  return {
    ip: ipAt >= 0 ? (parts[ipAt + 1] ?? '-') : '-',
    port: portAt >= 0 ? (parts[portAt + 1] ?? '-') : '-',
  }
}

/** Columns padded to their widest cell, two spaces apart. */
export function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  console.log(line(head))
  for (const r of rows) console.log(line(r))
}
