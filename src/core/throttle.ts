/**
 * Runs `fn` at most once per `ms`: at once when it has not run for `ms`, else once at the end of
 * the interval however many calls came meanwhile (the last state wins). Built on setTimeout, so
 * fake timers drive it.
 */
export interface Throttled {
  call(): void
  cancel(): void
}

export function throttle(fn: () => void, ms: number, now: () => number = Date.now): Throttled {
  let last = Number.NEGATIVE_INFINITY
  let timer: ReturnType<typeof setTimeout> | undefined
  const run = (): void => {
    timer = undefined
    last = now()
    fn()
  }
  return {
    call() {
      if (timer != null) return
      const wait = last + ms - now()
      if (wait <= 0) run()
      else timer = setTimeout(run, wait)
    },
    cancel() {
      clearTimeout(timer)
      timer = undefined
    },
  }
}
