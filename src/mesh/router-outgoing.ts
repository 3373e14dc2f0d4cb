/**
 * What send() checks before a message leaves: a peer id to send to, a topic of 1 to
 * MAX_TOPIC_LENGTH characters, a hop budget (TTL) of 1 to MAX_TTL, and a payload within the
 * node's max_message_bytes. A message that passes becomes a fresh envelope (a new id, no hops
 * yet); one that does not is refused before anything is sent.
 */
import { v4 as uuid } from 'uuid'
import { InvalidSendError, MessageTooLargeError } from '../core/errors.js'
import { DEFAULT_TTL, MAX_TOPIC_LENGTH, MAX_TTL } from '../core/protocol.js'
import { Envelope } from '../core/proto/mesh.js'
import { isPeerIdString, TRACEPARENT } from './codec.js'

export interface OutgoingMessage {
  /** our peer id */
  from: string
  to: string
  topic: string
  payload: Uint8Array
  /** @default DEFAULT_TTL */
  ttl?: number
  /** W3C trace context; "" or absent for none */
  traceparent?: string
}

/** The envelope for a message we send; throws InvalidSendError or MessageTooLargeError. */
export function outgoingEnvelope(message: OutgoingMessage, maxMessageBytes: number): Envelope {
  const { from, to, topic, payload } = message
  const ttl = message.ttl ?? DEFAULT_TTL
  if (!isPeerIdString(to))
    throw new InvalidSendError('invalid_peer_id', `not a peer id: ${JSON.stringify(to)}`)
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) {
    throw new InvalidSendError('invalid_topic', `topic must be 1-${MAX_TOPIC_LENGTH} characters`)
  }
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL)
    throw new InvalidSendError('invalid_ttl', `ttl must be 1-${MAX_TTL}`)
  if (payload.byteLength > maxMessageBytes) {
    throw new MessageTooLargeError(payload.byteLength, maxMessageBytes)
  }
  const traceparent = message.traceparent ?? ''
  if (!TRACEPARENT.test(traceparent))
    throw new InvalidSendError('invalid_traceparent', 'traceparent must be W3C trace context')
  return {
    id: uuid(),
    from,
    to,
    timestamp: BigInt(Date.now()),
    ttl,
    hops: 0,
    topic,
    payload: payload as Uint8Array<ArrayBuffer>,
    kind: Envelope.Kind.DATA,
    traceparent,
    signature: new Uint8Array(0),
  }
}
