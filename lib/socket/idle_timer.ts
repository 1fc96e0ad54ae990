// socket.setTimeout(): 'timeout' after so long without activity, where activity
// is encrypted or cleartext bytes moving (the transport and the driver say so).
// HTTP servers switch a socket's timeout off and on again at every request
// (keepAliveTimeout between requests, none during one): switched off, the timer
// stays, unref'd and dormant (it fires to nothing if it is not refreshed first),
// and switched on again with the same length it is only refreshed.
export class IdleTimer {
  readonly #onTimeout: () => void;
  #ms = 0;
  #timer: NodeJS.Timeout | null = null;
  /** The length #timer was made with. */
  #timerMs = 0;
  #unrefd = false;

  constructor(onTimeout: () => void) {
    this.#onTimeout = onTimeout;
  }

  /** The timeout in ms (0: none). */
  get ms(): number {
    return this.#ms;
  }

  set(ms: number): void {
    this.#ms = ms;
    const timer = this.#timer;
    if (ms <= 0) {
      timer?.unref();
      return;
    }
    if (timer !== null && this.#timerMs === ms) {
      if (!this.#unrefd) timer.ref();
      timer.refresh();
      return;
    }
    this.clear();
    this.touch();
  }

  touch(): void {
    if (this.#ms <= 0) return;
    if (this.#timer !== null) {
      this.#timer.refresh();
      return;
    }
    this.#timerMs = this.#ms;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#ms > 0) this.#onTimeout();
    }, this.#ms);
    if (this.#unrefd) this.#timer.unref();
  }

  clear(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  ref(): void {
    this.#unrefd = false;
    if (this.#ms > 0) this.#timer?.ref();
  }

  unref(): void {
    this.#unrefd = true;
    this.#timer?.unref();
  }
}
