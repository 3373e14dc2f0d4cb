/** `alerts`: the alerts of a running headless node (FR22.1), firing ones first. */
import type { Alert } from '../src/core/alerts.js'
import type { Values } from './cli-args.js'
import { printable, printTable } from './cli-format.js'
import { targetPort } from './cli-target.js'
import { getJson } from './control.js'

/** `2026-12-01T02:10:03.123Z` → `2026-12-01 02:10:03Z` */
function clock(iso: string | undefined): string {
  return iso == null ? '-' : `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`
}

export async function alerts(values: Values): Promise<number> {
  const list = await getJson<Alert[]>(await targetPort(values), '/alerts')
  if (values.json === true) {
    console.log(JSON.stringify(list, null, 2))
    return 0
  }
  const firing = list.filter((a) => a.state === 'firing')
  const cleared = list.filter((a) => a.state === 'cleared')
  if (firing.length === 0) console.log('No active alerts')
  else
    printTable(
      ['ALERT', 'SEVERITY', 'SINCE', 'VALUE', 'THRESHOLD', 'MESSAGE'],
      firing.map((a) => [
        a.rule,
        a.severity,
        clock(a.fired_at),
        String(a.value),
        String(a.threshold),
        printable(a.message),
      ]),
    )
  if (cleared.length > 0) {
    console.log('\nCleared in the last hour:')
    printTable(
      ['ALERT', 'SEVERITY', 'FIRED', 'CLEARED'],
      cleared.map((a) => [a.rule, a.severity, clock(a.fired_at), clock(a.cleared_at)]),
    )
  }
  return 0
}
