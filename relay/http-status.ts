/**
 * The one table from error codes to HTTP statuses. Every code of the vocabulary
 * (src/core/errors.ts) has a status, so a new code cannot reach a client as a bare 500.
 */
import type { ErrorCode } from '../src/core/errors.js'
import { errorCode } from '../src/core/errors.js'

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  // HTTP boundary
  invalid_json: 400,
  invalid_body: 400,
  invalid_query: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  method_not_allowed: 405,
  loopback_only: 403,
  cross_origin_refused: 403,
  node_not_ready: 503,
  internal_error: 500,
  // node
  config_invalid: 500,
  identity_corrupt: 500,
  identity_slots_exhausted: 503,
  invalid_transition: 409,
  node_not_active: 503,
  node_shutting_down: 503,
  self_verification_failed: 503,
  port_in_use: 500,
  part_start_failed: 500,
  // mesh
  no_route: 502,
  delivery_timeout: 504,
  message_too_large: 413,
  message_rejected: 502,
  invalid_peer_id: 400,
  invalid_topic: 400,
  invalid_ttl: 400,
  invalid_traceparent: 400,
  // inbound frames (peers, not HTTP clients, send these; listed for completeness)
  oversized: 400,
  undecodable: 400,
  stalled: 400,
  truncated: 400,
  rate_limited: 429,
  wrong_version: 400,
  no_body: 400,
  invalid_envelope: 400,
  invalid_ack: 400,
  invalid_heartbeat: 400,
  invalid_peer_list: 400,
  invalid_goodbye: 400,
  invalid_assignment: 400,
  invalid_answer: 400,
  invalid_progress: 400,
  invalid_result: 400,
  invalid_cancel: 400,
  unexpected_answer: 400,
  unexpected_result: 400,
  bad_signature: 400,
  // models
  model_manifest_invalid: 502,
  insufficient_disk_space: 507,
  model_load_failed: 500,
  engine_closed: 503,
  worker_restarted: 503,
  // tasks
  input_empty: 400,
  invalid_input_type: 400,
  input_exceeds_max_length: 400,
  inference_failed: 500,
  engine_failed: 500,
  timeout: 504,
  interrupted: 500,
  cancelled: 409,
  attempts_exhausted: 502,
  no_capable_node: 503,
  no_agreement: 502,
  unknown_task_type: 400,
  invalid_task_id: 400,
  duplicate_task_id: 409,
  invalid_timeout: 400,
  invalid_placement: 400,
  invalid_replicas: 400,
  invalid_task_request: 400,
  tasks_not_running: 503,
  tasks_unavailable: 503,
  task_not_found: 404,
  // command line
  usage: 400,
  node_not_running: 503,
  node_ambiguous: 409,
  node_stop_timeout: 504,
  tls_unreadable: 500,
  tls_invalid: 500,
  // debug tools
  unknown_node: 404,
  invalid_node_id: 400,
  invalid_debug_option: 400,
}

/** The status for an error: its code's, or 500 for an error without one of ours. */
export function httpStatusOf(err: unknown): number {
  const code = errorCode(err)
  return code == null ? 500 : HTTP_STATUS[code]
}
