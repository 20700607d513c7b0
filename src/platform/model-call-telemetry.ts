import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { BaseMessage } from '@langchain/core/messages';
import type { Serialized } from '@langchain/core/load/serializable';
import type { ChatGeneration, LLMResult } from '@langchain/core/outputs';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  currentTelemetryTenant,
  modelErrors,
  modelRequestDuration,
  modelTokens,
  secondsSince,
} from '../core/telemetry.js';

interface OpenCall {
  readonly span: Span;
  readonly started: number;
  readonly tenant: string;
}

/**
 * The agent talks to its chat model through LangChain (ChatOpenAI with tool calling), not through
 * our own HTTP client, so its calls are observed with LangChain's callbacks: the same `model.chat`
 * span, latency histogram, per-tenant token counter and error counter as every other model call
 * (src/core/telemetry.ts `observeModelCall`). Handlers are awaited, so each call starts inside the
 * caller's async context: its span nests under the agent node and the tenant is the run's.
 */
export class ModelCallTelemetry extends BaseCallbackHandler {
  override name = 'rhizome-model-call-telemetry';
  override awaitHandlers = true;
  private readonly calls = new Map<string, OpenCall>();

  constructor(private readonly model: string) {
    super();
  }

  override handleChatModelStart(_model: Serialized, _messages: BaseMessage[][], runId: string): void {
    const span = trace.getTracer('rhizome').startSpan(
      'model.chat',
      {
        kind: SpanKind.CLIENT,
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': this.model },
      },
      context.active(),
    );
    this.calls.set(runId, { span, started: performance.now(), tenant: currentTelemetryTenant() });
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const call = this.finish(runId);
    if (!call) return;
    const { promptTokens, completionTokens } = usageOf(output);
    if (promptTokens > 0) modelTokens.inc({ tenant: call.tenant, model: this.model, kind: 'prompt' }, promptTokens);
    if (completionTokens > 0) {
      modelTokens.inc({ tenant: call.tenant, model: this.model, kind: 'completion' }, completionTokens);
    }
    call.span.setAttributes({ 'gen_ai.usage.input_tokens': promptTokens, 'gen_ai.usage.output_tokens': completionTokens });
    call.span.end();
  }

  override handleLLMError(error: unknown, runId: string): void {
    const call = this.finish(runId);
    if (!call) return;
    // A cancelled call (the client went away, the run's budget ran out) is not the provider failing.
    const cancelled = error instanceof Error && (error.name === 'AbortError' || /abort/i.test(error.message));
    if (!cancelled) modelErrors.inc({ tenant: call.tenant, model: this.model, operation: 'chat' });
    call.span.recordException(error instanceof Error ? error : String(error));
    call.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    call.span.end();
  }

  private finish(runId: string): OpenCall | undefined {
    const call = this.calls.get(runId);
    if (!call) return undefined;
    this.calls.delete(runId);
    modelRequestDuration.observe({ model: this.model, operation: 'chat' }, secondsSince(call.started));
    return call;
  }
}

/** Tokens of one call: the message's usage metadata (streamed or not), else the provider's report. */
function usageOf(output: LLMResult): { promptTokens: number; completionTokens: number } {
  let promptTokens = 0;
  let completionTokens = 0;
  let found = false;
  for (const generations of output.generations) {
    for (const generation of generations) {
      const metadata = (generation as Partial<ChatGeneration>).message as { usage_metadata?: { input_tokens: number; output_tokens: number } } | undefined;
      if (metadata?.usage_metadata) {
        found = true;
        promptTokens += metadata.usage_metadata.input_tokens;
        completionTokens += metadata.usage_metadata.output_tokens;
      }
    }
  }
  if (found) return { promptTokens, completionTokens };
  const reported = (output.llmOutput as { tokenUsage?: { promptTokens?: number; completionTokens?: number } } | undefined)
    ?.tokenUsage;
  return { promptTokens: reported?.promptTokens ?? 0, completionTokens: reported?.completionTokens ?? 0 };
}
