import type { AgentEvent } from '../../core/agent.js';
import { withSpan } from '../../core/telemetry.js';

/** One tool call inside a step, as the trace stores it. */
export interface TraceToolCall {
  readonly callId: string;
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly tookMs: number;
  /** Chunk ids of the passages the call returned. */
  readonly chunkIds: readonly number[];
  readonly entities?: readonly string[];
  readonly edges?: readonly { readonly source: string; readonly target: string }[];
  readonly error?: string;
}

/** One node of the graph, as run: what it decided, which tools it called, which model, how long. */
export interface TraceStep {
  readonly step: number;
  readonly node: string;
  readonly startedAt: string;
  readonly tookMs: number;
  readonly summary: string;
  readonly model?: string;
  readonly toolCalls: readonly TraceToolCall[];
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
}

export interface RunBudget {
  readonly maxSteps: number;
  readonly maxTokens: number;
  readonly timeoutMs: number;
}

/** Raised inside a run when a budget is exhausted; the agent answers with what it has. */
export class BudgetExceeded extends Error {}

/**
 * What one run carries besides the graph state: who asks, the stream to the caller, the trace,
 * budgets and the abort signal. Not part of the checkpointed state (it holds functions and a signal).
 */
export class RunContext {
  readonly trace: TraceStep[] = [];
  private steps = 0;
  private toolCallCount = 0;
  promptTokens = 0;
  completionTokens = 0;
  private readonly deadline: number;
  private readonly currentCalls: TraceToolCall[] = [];

  constructor(
    readonly runId: string,
    readonly threadId: string,
    readonly tenantId: string,
    readonly budget: RunBudget,
    readonly signal: AbortSignal,
    private readonly emit: (event: AgentEvent) => void,
  ) {
    this.deadline = performance.now() + budget.timeoutMs;
  }

  send(event: AgentEvent): void {
    this.emit(event);
  }

  get remainingMs(): number {
    return this.deadline - performance.now();
  }

  get stepCount(): number {
    return this.steps;
  }

  get toolCalls(): number {
    return this.toolCallCount;
  }

  /** Whether another step fits the step and time budgets. */
  canContinue(): boolean {
    return this.steps < this.budget.maxSteps && this.remainingMs > 0 && !this.signal.aborted;
  }

  tokensLeft(): number {
    return this.budget.maxTokens - this.promptTokens - this.completionTokens;
  }

  /** Runs one node: emits node_start/node_end and records the step with its tool calls. */
  async step<T>(node: string, work: () => Promise<{ result: T; summary: string; model?: string; usage?: TraceStep['usage'] }>): Promise<T> {
    this.signal.throwIfAborted();
    this.steps += 1;
    const step = this.steps;
    const started = performance.now();
    const startedAt = new Date().toISOString();
    this.currentCalls.length = 0;
    this.send({ type: 'node_start', runId: this.runId, node, step });
    // An OpenTelemetry span per node: tool calls, searches and model calls nest under it.
    const outcome = await withSpan(`agent.${node}`, { 'rhizome.agent.step': step }, () => work());
    const tookMs = performance.now() - started;
    this.trace.push({
      step,
      node,
      startedAt,
      tookMs,
      summary: outcome.summary,
      ...(outcome.model ? { model: outcome.model } : {}),
      toolCalls: [...this.currentCalls],
      ...(outcome.usage ? { usage: outcome.usage } : {}),
    });
    this.send({ type: 'node_end', runId: this.runId, node, step, tookMs, summary: outcome.summary });
    return outcome.result;
  }

  /** Runs one tool call: emits tool_call/tool_result and records it in the current step. */
  async tool<T>(
    tool: string,
    parameters: Record<string, unknown>,
    call: () => Promise<T>,
    describe: (result: T) => { result: unknown; chunkIds: readonly number[]; entities?: readonly string[]; edges?: TraceToolCall['edges'] },
  ): Promise<T> {
    this.signal.throwIfAborted();
    this.toolCallCount += 1;
    const callId = `${this.runId.slice(0, 8)}-${this.toolCallCount}`;
    this.send({ type: 'tool_call', runId: this.runId, callId, tool, arguments: parameters });
    const started = performance.now();
    try {
      const value = await call();
      const tookMs = performance.now() - started;
      const described = describe(value);
      this.currentCalls.push({
        callId,
        tool,
        arguments: parameters,
        tookMs,
        chunkIds: described.chunkIds,
        ...(described.entities ? { entities: described.entities } : {}),
        ...(described.edges ? { edges: described.edges } : {}),
      });
      this.send({ type: 'tool_result', runId: this.runId, callId, tool, result: described.result, tookMs });
      return value;
    } catch (error) {
      const tookMs = performance.now() - started;
      const message = error instanceof Error ? error.message : String(error);
      this.currentCalls.push({ callId, tool, arguments: parameters, tookMs, chunkIds: [], error: message });
      this.send({ type: 'tool_result', runId: this.runId, callId, tool, result: { error: message }, tookMs });
      throw error;
    }
  }
}
