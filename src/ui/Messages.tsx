import { useState } from 'react'
import type { FormEvent } from 'react'
import type { NodeApi } from '../core/node-api.js'
import { LOAD_TOPIC, PING_TOPIC } from '../core/debug.js'
import { nodeLabel } from './format.js'
import { useKnownNodes, useMessages, usePeers } from './hooks.js'

interface Result {
  ok: boolean
  text: string
  /** increases with every send, so a reader can tell results apart */
  seq: number
}

/** Send a routed message to any node of the mesh, and see what arrived here. */
export function Messages({ node }: { node: NodeApi }) {
  const peers = usePeers(node)
  const known = useKnownNodes(node)
  // the dashboard's pings are answered by their delivery receipt, not read
  const received = useMessages(node).filter((m) => m.topic !== PING_TOPIC && m.topic !== LOAD_TOPIC)
  const [to, setTo] = useState('')
  const [text, setText] = useState('')
  const [result, setResult] = useState<Result>()
  const [sending, setSending] = useState(false)
  const targets = known

  const send = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const target = to === '' ? targets[0] : to
    if (target == null || text === '') return
    setSending(true)
    const seq = (result?.seq ?? 0) + 1
    try {
      const d = await node.send(target, 'chat', new TextEncoder().encode(text))
      setResult({
        ok: true,
        seq,
        text: `delivered in ${d.rttMs} ms over ${d.hops} hop${d.hops === 1 ? '' : 's'}`,
      })
    } catch (err) {
      setResult({ ok: false, seq, text: (err as Error).message })
    } finally {
      setSending(false)
    }
  }

  return (
    <section className="card" aria-label="messages">
      <h2>Messages</h2>
      <form
        onSubmit={(e) => {
          void send(e)
        }}
        className="send"
      >
        <select
          data-testid="send-to"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          aria-label="recipient"
        >
          {targets.length === 0 && <option value="">no known nodes</option>}
          {targets.length > 0 && <option value="">{nodeLabel(targets[0] ?? '')} (first)</option>}
          {targets.map((p) => (
            <option key={p} value={p} title={p}>
              {nodeLabel(p)}
              {peers.some((x) => x.peerId === p) ? '' : ' (via the mesh)'}
            </option>
          ))}
        </select>
        <input
          data-testid="send-text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="message"
          maxLength={10000}
        />
        <button data-testid="send-button" type="submit" disabled={sending || targets.length === 0}>
          Send
        </button>
      </form>
      {result != null && (
        <p
          data-testid="send-result"
          data-ok={result.ok}
          data-seq={result.seq}
          className={result.ok ? 'ok' : 'error'}
        >
          {result.text}
        </p>
      )}
      <ul className="inbox">
        {received.map((m) => (
          <li key={m.id} data-testid="message" data-from={m.from} data-hops={m.hops}>
            <span className="mono" title={m.from}>
              {nodeLabel(m.from)}
            </span>{' '}
            <span className="muted">
              ({m.hops} hop{m.hops === 1 ? '' : 's'})
            </span>
            : <span data-testid="message-text">{new TextDecoder().decode(m.payload)}</span>
          </li>
        ))}
      </ul>
    </section>
  )
}
