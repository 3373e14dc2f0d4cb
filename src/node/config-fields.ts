/**
 * The one table that describes every configuration field (type, range, environment variables)
 * and the defaults (FR1.4, FR1.9).
 */
import type { NodeConfig } from '../core/config.js'
import { MODEL_WARMUPS } from '../core/config.js'
import { LOG_LEVELS } from '../core/log.js'
import { MAX_PAYLOAD_BYTES } from '../core/protocol.js'

/** A mesh_key shorter than this is refused: a short one is guessed from a proof seen on the topic. */
export const MIN_MESH_KEY_LENGTH = 16

export const DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const

type FieldKind = 'int' | 'string' | 'choice' | 'list' | 'ice' | 'bool' | 'models'

export interface FieldSpec {
  kind: FieldKind
  /** the values a "choice" field takes */
  choices?: readonly string[]
  min?: number
  max?: number
  /** environment variable names, first is canonical */
  env: string[]
  /** custom message for a range violation */
  rangeMessage?: string
}

export const FIELDS: Record<keyof NodeConfig, FieldSpec> = {
  network_port: {
    kind: 'int',
    min: 1024,
    max: 65535,
    env: ['P2P_AI_NODE_PORT', 'P2P_AI_NETWORK_PORT'],
    rangeMessage: 'Invalid port number (must be 1024-65535)',
  },
  max_peers: { kind: 'int', min: 1, max: 256, env: ['P2P_AI_MAX_PEERS'] },
  storage_path: { kind: 'string', env: ['P2P_AI_STORAGE_PATH'] },
  health_check_interval_secs: {
    kind: 'int',
    min: 1,
    max: 86400,
    env: ['P2P_AI_HEALTH_CHECK_INTERVAL_SECS'],
  },
  max_memory_mb: { kind: 'int', min: 128, max: 16384, env: ['P2P_AI_MAX_MEMORY_MB'] },
  log_level: { kind: 'choice', choices: LOG_LEVELS, env: ['P2P_AI_LOG_LEVEL'] },
  log_file_max_bytes: {
    kind: 'int',
    min: 1024,
    max: 2 ** 40,
    env: ['P2P_AI_LOG_FILE_MAX_BYTES'],
  },
  log_file_max_age_days: { kind: 'int', min: 1, max: 3650, env: ['P2P_AI_LOG_FILE_MAX_AGE_DAYS'] },
  log_file_max_count: { kind: 'int', min: 1, max: 10_000, env: ['P2P_AI_LOG_FILE_MAX_COUNT'] },
  relays: { kind: 'list', env: ['P2P_AI_RELAYS'] },
  ice_servers: { kind: 'ice', env: ['P2P_AI_ICE_SERVERS'] },
  heartbeat_interval_secs: {
    kind: 'int',
    min: 1,
    max: 300,
    env: ['P2P_AI_HEARTBEAT_INTERVAL_SECS'],
  },
  announce_interval_secs: {
    kind: 'int',
    min: 5,
    max: 3600,
    env: ['P2P_AI_ANNOUNCE_INTERVAL_SECS'],
  },
  deny_peers: { kind: 'list', env: ['P2P_AI_DENY_PEERS'] },
  dial_private_addresses: { kind: 'bool', env: ['P2P_AI_DIAL_PRIVATE_ADDRESSES'] },
  max_message_bytes: {
    kind: 'int',
    min: 1024,
    max: MAX_PAYLOAD_BYTES,
    env: ['P2P_AI_MAX_MESSAGE_BYTES'],
  },
  peer_rate_limit: { kind: 'int', min: 0, max: 1_000_000, env: ['P2P_AI_PEER_RATE_LIMIT'] },
  peer_ban_secs: { kind: 'int', min: 1, max: 86_400, env: ['P2P_AI_PEER_BAN_SECS'] },
  relay_max_reservations: {
    kind: 'int',
    min: 1,
    max: 100000,
    env: ['P2P_AI_RELAY_MAX_RESERVATIONS'],
  },
  relay_max_connections_per_ip: {
    kind: 'int',
    min: 1,
    max: 100000,
    env: ['P2P_AI_RELAY_MAX_CONNECTIONS_PER_IP'],
  },
  relay_max_connections_per_peer: {
    kind: 'int',
    min: 1,
    max: 64,
    env: ['P2P_AI_RELAY_MAX_CONNECTIONS_PER_PEER'],
  },
  max_concurrent_tasks: { kind: 'int', min: 1, max: 64, env: ['P2P_AI_MAX_CONCURRENT_TASKS'] },
  max_batch_size: { kind: 'int', min: 1, max: 256, env: ['P2P_AI_MAX_BATCH_SIZE'] },
  max_stored_results: { kind: 'int', min: 1, max: 1_000_000, env: ['P2P_AI_MAX_STORED_RESULTS'] },
  result_expiry_hours: { kind: 'int', min: 1, max: 8760, env: ['P2P_AI_RESULT_EXPIRY_HOURS'] },
  model_source: { kind: 'string', env: ['P2P_AI_MODEL_SOURCE'] },
  model_warmup: { kind: 'choice', choices: MODEL_WARMUPS, env: ['P2P_AI_MODEL_WARMUP'] },
  serve_tasks: { kind: 'bool', env: ['P2P_AI_SERVE_TASKS'] },
  max_remote_queued_per_peer: {
    kind: 'int',
    min: 1,
    max: 100_000,
    env: ['P2P_AI_MAX_REMOTE_QUEUED_PER_PEER'],
  },
  max_inflight_per_peer: {
    kind: 'int',
    min: 1,
    max: 100_000,
    env: ['P2P_AI_MAX_INFLIGHT_PER_PEER'],
  },
  inference_threads: { kind: 'int', min: 0, max: 64, env: ['P2P_AI_INFERENCE_THREADS'] },
  metrics_push_interval_secs: {
    kind: 'int',
    min: 0,
    max: 3600,
    env: ['P2P_AI_METRICS_PUSH_INTERVAL_SECS'],
  },
  metrics_max_nodes: { kind: 'int', min: 1, max: 100_000, env: ['P2P_AI_METRICS_MAX_NODES'] },
  models: { kind: 'models', env: ['P2P_AI_MODELS'] },
  alert_check_interval_secs: alertInt(1, 3600, 'CHECK_INTERVAL_SECS'),
  alert_clear_secs: alertInt(0, 86400, 'CLEAR_SECS'),
  alert_grace_secs: alertInt(0, 86400, 'GRACE_SECS'),
  alert_min_peers: alertInt(0, 256, 'MIN_PEERS'),
  alert_task_failure_percent: alertInt(1, 100, 'TASK_FAILURE_PERCENT'),
  alert_task_window_secs: alertInt(10, 86400, 'TASK_WINDOW_SECS'),
  alert_task_min_count: alertInt(1, 1_000_000, 'TASK_MIN_COUNT'),
  alert_memory_percent: alertInt(1, 100, 'MEMORY_PERCENT'),
  alert_queue_wait_p95_ms: alertInt(1, 3_600_000, 'QUEUE_WAIT_P95_MS'),
  alert_relay_unreachable_secs: alertInt(1, 86400, 'RELAY_UNREACHABLE_SECS'),
  otlp_endpoint: { kind: 'string', env: ['P2P_AI_OTLP_ENDPOINT'] },
  mesh_key: { kind: 'string', min: MIN_MESH_KEY_LENGTH, max: 1024, env: ['P2P_AI_MESH_KEY'] },
}

/** An alert threshold (FR22.1): an integer, its variable P2P_AI_ALERT_<suffix>. */
function alertInt(min: number, max: number, suffix: string): FieldSpec {
  return { kind: 'int', min, max, env: [`P2P_AI_ALERT_${suffix}`] }
}

export const CONFIG_KEYS = Object.keys(FIELDS) as Array<keyof NodeConfig>

export const DEFAULT_CONFIG: Readonly<NodeConfig> = Object.freeze({
  network_port: 9000,
  max_peers: 32,
  storage_path: '',
  health_check_interval_secs: 30,
  max_memory_mb: 512,
  log_level: 'INFO',
  log_file_max_bytes: 100 * 1024 * 1024,
  log_file_max_age_days: 7,
  log_file_max_count: 10,
  relays: [],
  ice_servers: [],
  heartbeat_interval_secs: 10,
  announce_interval_secs: 30,
  deny_peers: [],
  dial_private_addresses: true,
  max_message_bytes: 1024 * 1024,
  peer_rate_limit: 5000,
  peer_ban_secs: 60,
  relay_max_reservations: 512,
  relay_max_connections_per_ip: 128,
  relay_max_connections_per_peer: 4,
  max_concurrent_tasks: 4,
  max_batch_size: 32,
  max_stored_results: 10_000,
  result_expiry_hours: 24,
  model_source: 'auto',
  model_warmup: 'after_join',
  serve_tasks: true,
  max_remote_queued_per_peer: 256,
  max_inflight_per_peer: 128,
  inference_threads: 0,
  metrics_push_interval_secs: 10,
  metrics_max_nodes: 1000,
  models: {
    text_embedding: { model: 'local/universal-sentence-encoder-lite', dtype: 'q8' },
    classification: { model: 'local/use-lite-sentiment-prototype', dtype: 'q8' },
  },
  alert_check_interval_secs: 5,
  alert_clear_secs: 30,
  alert_grace_secs: 60,
  alert_min_peers: 2,
  alert_task_failure_percent: 10,
  alert_task_window_secs: 300,
  alert_task_min_count: 10,
  alert_memory_percent: 85,
  alert_queue_wait_p95_ms: 30_000,
  alert_relay_unreachable_secs: 60,
  otlp_endpoint: '',
  mesh_key: '',
})

/**
 * Largest config file accepted, bytes. FR1.4 caps files at 10 MB and FR1.6 requires a 1 MB file
 * to fail, so the cap sits below 1 MB; a real config is a few hundred bytes.
 */
export const MAX_CONFIG_BYTES = 256 * 1024

/** A valid config to show an operator after a failed start (FR1.4). */
export function sampleConfig(storagePath = '~/.p2p-ai-agents/data'): string {
  return JSON.stringify({ ...DEFAULT_CONFIG, storage_path: storagePath }, null, 2)
}
