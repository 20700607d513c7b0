/**
 * A ChatModel for any server that speaks OpenAI's `/chat/completions` API: OpenAI, Azure OpenAI,
 * Alibaba DashScope (compatible mode, Qwen), vLLM, Ollama, and others. `complete` returns the whole
 * answer; `stream` yields its text as it arrives, parsed from server-sent events.
 *
 * `maxConcurrency` is declared for callers to schedule by; this class does not queue calls itself,
 * since a streamed answer may hold its connection for minutes and only the caller knows which calls
 * may wait.
 */
import type { Logger } from 'pino';
import { z } from 'zod';

import { UpstreamError } from '../../core/errors.js';
import type { ChatModel, ChatRequest, ChatResponse } from '../../core/models.js';
import { observeModelCall } from '../../core/telemetry.js';
import { postForStream, postJson, type HttpEndpoint } from './http-client.js';
import {
  azureDeploymentSchema,
  createHttpEndpoint,
  parseProviderOptions,
  providerConnectionOptionsSchema,
} from './provider-connection.js';
import { parseServerSentEvents } from './server-sent-events.js';

export const openAiChatModelOptionsSchema = providerConnectionOptionsSchema.extend({
  model: z.string().min(1),
  maxConcurrency: z.number().int().min(1).max(256).default(4),
  /** Generation takes longer than embedding; for streams this is the longest silence allowed. */
  timeoutMs: z.number().int().positive().default(120_000),
  /** OpenAI's reasoning models (o-series, gpt-5) accept only `max_completion_tokens`; most other
   * servers know only `max_tokens`. */
  maxTokensParameter: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
  azure: azureDeploymentSchema.optional(),
});

export type OpenAiChatModelOptions = z.input<typeof openAiChatModelOptionsSchema> & {
  readonly logger?: Logger;
};

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        // null when the model produced no text (e.g. it spent its token budget on reasoning).
        message: z.object({ content: z.string().nullish() }),
      }),
    )
    .min(1),
  usage: z
    .object({ prompt_tokens: z.number().int().min(0), completion_tokens: z.number().int().min(0) })
    .nullish(),
});

const streamChunkSchema = z.object({
  // Empty in some chunks: Azure's first one (content filter results) and usage-only chunks.
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .default([]),
});

const streamErrorSchema = z.object({ error: z.object({ message: z.string() }) });

export class OpenAiChatModel implements ChatModel {
  readonly model: string;
  readonly maxConcurrency: number;
  private readonly maxTokensParameter: 'max_tokens' | 'max_completion_tokens';
  private readonly endpoint: HttpEndpoint;

  constructor(options: OpenAiChatModelOptions) {
    const settings = parseProviderOptions(
      openAiChatModelOptionsSchema,
      options,
      'OpenAI-compatible chat model',
    );
    this.model = settings.model;
    this.maxConcurrency = settings.maxConcurrency;
    this.maxTokensParameter = settings.maxTokensParameter;
    this.endpoint = createHttpEndpoint(
      settings,
      `Chat provider (model ${settings.model})`,
      settings.azure,
      options.logger,
    );
  }

  complete(request: ChatRequest): Promise<ChatResponse> {
    return observeModelCall(
      'chat',
      this.model,
      () => this.completeOnce(request),
      (response) => [
        { kind: 'prompt', tokens: response.usage?.promptTokens ?? 0 },
        { kind: 'completion', tokens: response.usage?.completionTokens ?? 0 },
      ],
    );
  }

  private async completeOnce(request: ChatRequest): Promise<ChatResponse> {
    const answer = await postJson(
      this.endpoint,
      '/chat/completions',
      this.requestBody(request, false),
      request.signal,
    );
    const parsed = completionSchema.safeParse(answer);
    if (!parsed.success) throw this.malformed(parsed.error);
    const { choices, usage } = parsed.data;
    return {
      content: choices[0]?.message.content ?? '',
      ...(usage
        ? { usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens } }
        : {}),
    };
  }

  async *stream(request: ChatRequest): AsyncIterable<string> {
    const bytes = postForStream(
      this.endpoint,
      '/chat/completions',
      this.requestBody(request, true),
      request.signal,
    );
    let finished = false;
    for await (const event of parseServerSentEvents(bytes)) {
      // Leaving the loop closes the connection (the generators' finally blocks cancel the body).
      if (event.data === '[DONE]') return;
      let payload: unknown;
      try {
        payload = JSON.parse(event.data);
      } catch (error) {
        throw new UpstreamError(
          'provider_malformed_response',
          `${this.endpoint.label} streamed an event that is not JSON: ${JSON.stringify(event.data.slice(0, 200))}`,
          { cause: error },
        );
      }
      // Providers report failures that happen mid-answer as an event, the HTTP status being long sent.
      const failure = streamErrorSchema.safeParse(payload);
      if (failure.success || event.event === 'error') {
        const message = failure.success ? failure.data.error.message : event.data.slice(0, 500);
        throw new UpstreamError(
          'provider_stream_failed',
          `${this.endpoint.label} failed while streaming: ${message}`,
          {
            details: { providerMessage: message },
          },
        );
      }
      const chunk = streamChunkSchema.safeParse(payload);
      if (!chunk.success) throw this.malformed(chunk.error);
      const choice = chunk.data.choices[0];
      if (choice === undefined) continue;
      const text = choice.delta?.content;
      if (text) yield text;
      if (choice.finish_reason) finished = true;
    }
    // Neither [DONE] nor a finish reason: the connection ended mid-answer, and the text is partial.
    if (!finished) {
      throw new UpstreamError(
        'provider_stream_interrupted',
        `${this.endpoint.label} ended its stream before finishing`,
      );
    }
  }

  private requestBody(request: ChatRequest, stream: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model: this.model,
      messages: request.messages.map(({ role, content }) => ({ role, content })),
    };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxTokens !== undefined) body[this.maxTokensParameter] = request.maxTokens;
    if (request.json) body.response_format = { type: 'json_object' };
    if (stream) body.stream = true;
    return body;
  }

  private malformed(error: z.ZodError): UpstreamError {
    return new UpstreamError(
      'provider_malformed_response',
      `${this.endpoint.label} answered in an unexpected shape: ${z.prettifyError(error)}`,
      { details: { issues: error.issues.slice(0, 5).map((issue) => issue.path.join('.')) } },
    );
  }
}
