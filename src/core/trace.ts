/** W3C trace context (https://www.w3.org/TR/trace-context/): the id a task carries across nodes. */

/** A new `traceparent` for a sampled trace: version 00, a 16-byte trace id, an 8-byte span id. */
export function newTraceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`
}

/** The trace id (32 hex) of a `traceparent`. */
export function traceIdOf(traceparent: string): string {
  return traceparent.split('-')[1] ?? ''
}

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes))
  // all-zero ids are invalid in trace context
  if (b.every((x) => x === 0)) b[0] = 1
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}
