/** libp2p protocol ids and gossip topics owned by p2p-ai-agents. Versioned: a breaking change is a new id. */
export const MESH_PROTOCOL = '/p2p-ai/mesh/1.0.0'
/** Gossipsub topic on which every node announces its direct neighbours. */
export const TOPOLOGY_TOPIC = '/p2p-ai/topology/1.0.0'
/** A newcomer asks its first neighbour for the signed topology announcements it holds (request/response). */
export const TOPOLOGY_SYNC_PROTOCOL = '/p2p-ai/topology-sync/1.0.0'
/** A relay's list of the peers holding a reservation on it (request/response). */
export const DIRECTORY_PROTOCOL = '/p2p-ai/directory/1.0.0'
/** With a mesh_key: two mesh nodes prove to each other that they know it (src/core/proto/membership.proto). */
export const MEMBER_PROTOCOL = '/p2p-ai/member/1.0.0'
/** Mesh compute: assignments of tasks to an executor, its answers and signed results (streams). */
export const TASK_PROTOCOL = '/p2p-ai/task/1.0.0'
/** The frame format version inside TASK_PROTOCOL streams. */
export const TASK_FRAME_VERSION = 1
/** The frame format version inside MESH_PROTOCOL streams. */
export const FRAME_VERSION = 1
/** Default hop budget of a routed message (FR10.3). */
export const DEFAULT_TTL = 10
/** Largest hop budget a node accepts on an inbound envelope. */
export const MAX_TTL = 16
/** Bytes of framing an envelope adds at most to its payload (ids, addresses, counters). */
export const FRAME_OVERHEAD_BYTES = 1024
/**
 * Largest routed payload any node may send. Each node accepts up to its own max_message_bytes
 * (at most this) and rejects larger ones with an ack; the stream framing itself always admits
 * MAX_PAYLOAD_BYTES + FRAME_OVERHEAD_BYTES, so nodes with different settings still understand
 * each other.
 */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024
/** Application message types are 1-64 characters. */
export const MAX_TOPIC_LENGTH = 64
/** A tab pushes its metrics to a relay, one push per stream (src/core/proto/metrics.proto). */
export const METRICS_PROTOCOL = '/p2p-ai/metrics/1.0.0'
