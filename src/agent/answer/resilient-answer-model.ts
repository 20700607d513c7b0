import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import type { Logger } from 'pino';
import type { AnswerInput, AnswerModel, AnswerOutput } from '../graph/answer-model.js';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failures: number;
  /** How long the circuit stays open before one trial call is let through. */
  readonly resetMs: number;
}

/**
 * A provider model behind a circuit breaker (cockatiel) with the offline model as the fallback.
 * A failed call, or any call while the circuit is open, is answered by the offline model and the
 * answer says so in `degraded`. After `failures` consecutive failures the circuit opens and the
 * provider is not called at all; after `resetMs` one trial call goes through, and a success closes
 * the circuit again. A run the caller cancelled is not a provider failure and is not retried.
 */
export class ResilientAnswerModel implements AnswerModel {
  readonly name: string;
  private readonly breaker: CircuitBreakerPolicy;

  constructor(
    private readonly provider: AnswerModel,
    private readonly fallback: AnswerModel,
    options: BreakerOptions,
    private readonly logger: Logger,
  ) {
    this.name = provider.name;
    this.breaker = circuitBreaker(
      handleWhen((error) => !(error instanceof Error && error.name === 'AbortError') && !isCancellation(error)),
      { halfOpenAfter: options.resetMs, breaker: new ConsecutiveBreaker(options.failures) },
    );
    this.breaker.onStateChange((state) => this.logger.warn({ provider: this.name, state: CircuitState[state] }, 'chat provider circuit changed'));
  }

  get circuit(): 'closed' | 'open' | 'half-open' | 'isolated' {
    const names = { [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half-open', [CircuitState.Isolated]: 'isolated' } as const;
    return names[this.breaker.state];
  }

  async answer(input: AnswerInput): Promise<AnswerOutput> {
    try {
      return await this.breaker.execute(() => this.provider.answer(input));
    } catch (error) {
      if (input.context.signal.aborted) throw error;
      const reason =
        error instanceof BrokenCircuitError
          ? 'the chat provider failed repeatedly; its circuit is open'
          : `the chat provider failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300);
      this.logger.warn({ provider: this.name, err: error }, 'chat provider failed; answering offline');
      const output = await this.fallback.answer(input);
      return { ...output, draft: { ...output.draft, degraded: { reason, provider: this.name } } };
    }
  }
}

function isCancellation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 'run_cancelled';
}
