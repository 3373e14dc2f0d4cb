/** What the router counts for observability (MeshService.stats.router), by name. */
export type RouterCounter =
  /** a message we originated went to its first hop */
  | 'sent'
  /** a message for us reached the application (receipts are counted as 'receipt') */
  | 'delivered'
  /** a message for another node was accepted to pass on (receipts included) */
  | 'forwarded'
  /** a hop's ack did not come in time (once per time-out, the last before giving up included) */
  | 'retried'
  /** the same message again from the same neighbour: our ack was lost */
  | 'duplicate'
  /** a message we already had, from another neighbour */
  | 'loop'
  /** a message dropped because its TTL ran out */
  | 'ttl_expired'
  /** no neighbour leads to the recipient */
  | 'no_route'
  /** a hop abandoned: no way left to the recipient, or in flight too long */
  | 'gave_up'
  /** a receipt from its recipient confirmed one of our messages */
  | 'receipt'
  /** a message refused because it named another sender than the neighbour it came straight from */
  | 'rejected'
  /** a message for another node refused: shutting down, or the forwarding budget is full */
  | 'busy'
  /** a routed message for us whose signature is not its sender's: forged or altered on the way */
  | 'forged'
  /** a message older than the replay window (or from too far in the future) */
  | 'stale'

/** Counts one event, with the neighbour it concerns when there is one. */
export type CountRouterEvent = (name: RouterCounter, peerId?: string) => void
