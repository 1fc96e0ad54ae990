// socket.setTimeout(): 'timeout' after so long without activity, where activity
// is encrypted or cleartext bytes moving (the transport and the driver say so).
export class IdleTimer {
  readonly #onTimeout: () => void;
  #ms = 0;
  #timer: NodeJS.Timeout | null = null;
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
    this.clear();
    if (ms > 0) this.touch();
  }

  touch(): void {
    if (this.#ms <= 0) return;
    if (this.#timer !== null) {
      this.#timer.refresh();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#onTimeout();
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
    this.#timer?.ref();
  }

  unref(): void {
    this.#unrefd = true;
    this.#timer?.unref();
  }
}
