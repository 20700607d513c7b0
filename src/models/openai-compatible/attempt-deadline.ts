/**
 * The time limit of one HTTP attempt, as an AbortSignal. It works like `AbortSignal.timeout`
 * but can be restarted: a streamed answer may rightly take minutes in total, so while it streams
 * the limit applies to the silence between chunks, not to the whole answer.
 */
export class AttemptDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private passed = false;

  constructor(private readonly timeoutMs: number) {
    this.restart();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the limit has passed, which tells a timeout apart from the caller's abort. */
  get expired(): boolean {
    return this.passed;
  }

  restart(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.passed = true;
      this.controller.abort(new DOMException(`No answer within ${this.timeoutMs} ms`, 'TimeoutError'));
    }, this.timeoutMs);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
