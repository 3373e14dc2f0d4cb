/**
 * Errors with stable names (check `err.name`, not instanceof, across worker and process
 * boundaries). Messages say what happened and what to do next.
 */

export class ConfigError extends Error {
  static readonly NAME = 'ConfigError'
  override name = ConfigError.NAME
  constructor(
    readonly problems: ConfigProblem[],
    message = `invalid configuration:\n${problems.map((p) => `  - ${p.field}: ${p.message} (${p.code})`).join('\n')}`,
  ) {
    super(message)
  }
}

export interface ConfigProblem {
  /** the config field (or environment variable / query parameter) at fault */
  field: string
  /** stable code, e.g. "max_peers_exceeds_limit", "config_too_large" */
  code: string
  message: string
}

export class IdentityCorruptError extends Error {
  static readonly NAME = 'IdentityCorruptError'
  override name = IdentityCorruptError.NAME
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(
      `node identity at ${location} is corrupt: ${reason}. ` +
        'It was left untouched; restore it from a backup, or move it aside to generate a new identity (a new node id).',
    )
  }
}

export class InvalidTransitionError extends Error {
  static readonly NAME = 'InvalidTransitionError'
  override name = InvalidTransitionError.NAME
  constructor(
    readonly from: string | null,
    readonly to: string,
  ) {
    super(`invalid node state transition ${from ?? '(none)'} → ${to}`)
  }
}

export class NotActiveError extends Error {
  static readonly NAME = 'NotActiveError'
  override name = NotActiveError.NAME
  constructor(state: string) {
    super(`the node is ${state}, not ACTIVE`)
  }
}

export class NoRouteError extends Error {
  static readonly NAME = 'NoRouteError'
  override name = NoRouteError.NAME
  constructor(readonly to: string) {
    super(`no route to peer ${to}: it is not connected and no neighbour knows a path to it`)
  }
}

export class DeliveryTimeoutError extends Error {
  static readonly NAME = 'DeliveryTimeoutError'
  override name = DeliveryTimeoutError.NAME
  constructor(
    readonly id: string,
    readonly to: string,
    ms: number,
  ) {
    super(`message ${id} to ${to} was not confirmed within ${ms} ms`)
  }
}

export class MessageTooLargeError extends Error {
  static readonly NAME = 'MessageTooLargeError'
  override name = MessageTooLargeError.NAME
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`message payload of ${size} bytes exceeds max_message_bytes (${limit})`)
  }
}

export class PortInUseError extends Error {
  static readonly NAME = 'PortInUseError'
  override name = PortInUseError.NAME
  constructor(readonly port: number) {
    super(`Port ${port} already in use. Use --port to specify a different port.`)
  }
}

export class MessageRejectedError extends Error {
  static readonly NAME = 'MessageRejectedError'
  override name = MessageRejectedError.NAME
  constructor(
    readonly id: string,
    readonly by: string,
    readonly reason: string,
  ) {
    super(`message ${id} was rejected by ${by}: ${reason || 'no reason given'}`)
  }
}

export class ShuttingDownError extends Error {
  static readonly NAME = 'ShuttingDownError'
  override name = ShuttingDownError.NAME
  constructor() {
    super('node_shutting_down')
  }
}

export class SelfVerificationError extends Error {
  static readonly NAME = 'SelfVerificationError'
  override name = SelfVerificationError.NAME
  constructor(
    readonly check: string,
    readonly reason: string | undefined,
  ) {
    super(`self-verification failed: ${check} (${reason ?? 'failed'})`)
  }
}
