import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  agentRequestSchema,
  type AgentEvent,
  type AgentRequest,
  type AgentService,
} from '../../core/agent.js';
import { isRhizomeError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { startEventStream } from '../event-stream.js';
import {
  chatCompletionRequestSchema,
  messageText,
  type ChatCompletionRequest,
} from '../openai/chat-completion-request.js';
import {
  ChatCompletionChunker,
  chatCompletion,
  streamError,
  type CompletionIdentity,
  type StreamPayload,
} from '../openai/chat-completion-format.js';
import { listOpenAiModels, modelModes } from '../openai/openai-models.js';
import { parseInput } from '../validation.js';

const threadHeader = 'x-rhizome-thread-id';
const modelParameters = z.object({ model: z.string().min(1).max(200) });

/**
 * The question is the last message, which must be the user's. Earlier turns are not replayed: the
 * agent keeps a conversation in its own thread (send `thread_id` or the X-Rhizome-Thread-Id header,
 * returned on every answer, to continue one). System and developer messages are ignored — the
 * agent's own instructions (answer from the documents, cite, treat passages as data) are not
 * something a caller's prompt can replace.
 */
function agentRequestFor(request: FastifyRequest, input: ChatCompletionRequest): AgentRequest {
  const mode = modelModes.get(input.model);
  if (mode === undefined) throw new NotFoundError('model', input.model);
  const last = input.messages.at(-1)!;
  if (last.role !== 'user') {
    throw new ValidationError('The last message must be the user question', [
      { path: `body.messages.${input.messages.length - 1}.role`, message: "must be 'user'" },
    ]);
  }
  const message = messageText(last).trim();
  if (message.length === 0) {
    throw new ValidationError('The user message has no text', [
      { path: `body.messages.${input.messages.length - 1}.content`, message: 'must contain text' },
    ]);
  }
  const header = request.headers[threadHeader];
  const headerThread = Array.isArray(header) ? header[0] : header;
  const threadId = input.thread_id ?? headerThread;
  const maxTokens = input.max_completion_tokens ?? input.max_tokens;
  const candidate = {
    message,
    ...(threadId ? { threadId } : {}),
    mode,
    filters: input.filters ?? {},
    budget: maxTokens ? { maxTokens: Math.min(maxTokens, 200_000) } : {},
  };
  const parsed = agentRequestSchema.safeParse(candidate);
  if (!parsed.success) {
    const fieldOf: Record<string, string> = {
      message: `body.messages.${input.messages.length - 1}.content`,
      threadId: headerThread && !input.thread_id ? `headers.${threadHeader}` : 'body.thread_id',
    };
    throw new ValidationError(
      'Invalid chat request',
      parsed.error.issues.map((issue) => {
        const head = String(issue.path[0] ?? '');
        return {
          path: fieldOf[head] ?? ['body', ...issue.path.map(String)].join('.'),
          message: issue.message,
        };
      }),
    );
  }
  return candidate;
}

/** Aborts the run when the client goes away before the response is complete. */
function abortOnDisconnect(reply: FastifyReply): AbortController {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller;
}

function sse(reply: FastifyReply, payload: StreamPayload | '[DONE]'): void {
  reply.raw.write(`data: ${payload === '[DONE]' ? payload : JSON.stringify(payload)}\n\n`);
}

/**
 * OpenAI-compatible API: `GET /v1/models` and `POST /v1/chat/completions` (streamed or not), so
 * OpenAI SDKs and tools built on them (Open WebUI, LobeChat, Flowise, LlamaIndex's OpenAILike) use
 * Rhizome as a model. An adapter over the agent port: the answers are the agent's.
 */
export function registerOpenAiRoutes(
  app: FastifyInstance,
  agent: AgentService,
  tenants: TenantService,
): void {
  const config = { errorFormat: 'openai' as const };

  app.get('/v1/models', { config }, async (request) => {
    await tenantOf(request, tenants, 'reader');
    return { object: 'list', data: listOpenAiModels() };
  });

  app.get('/v1/models/:model', { config }, async (request) => {
    await tenantOf(request, tenants, 'reader');
    const { model } = parseInput(modelParameters, request.params, 'params');
    const found = listOpenAiModels().find((entry) => entry.id === model);
    if (!found) throw new NotFoundError('model', model);
    return found;
  });

  app.post('/v1/chat/completions', { config }, async (request, reply) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const input = parseInput(chatCompletionRequestSchema, request.body, 'body');
    const agentRequest = agentRequestFor(request, input);
    const controller = abortOnDisconnect(reply);
    const created = Math.floor(Date.now() / 1000);

    if (!input.stream) {
      const answer = await agent.ask(tenantId, agentRequest, controller.signal);
      reply.header(threadHeader, answer.threadId);
      return chatCompletion({ id: `chatcmpl-${answer.runId}`, created, model: input.model }, answer);
    }

    const events = agent.run(tenantId, agentRequest, controller.signal)[Symbol.asyncIterator]();
    // The first event is awaited before the response starts, so a request the agent refuses at once
    // (an unknown thread, a bad filter) still gets its 4xx status rather than a 200 stream.
    const first = await events.next();
    const runStart = first.done ? undefined : first.value;
    const threadId = runStart?.type === 'run_start' ? runStart.threadId : undefined;
    const identity: CompletionIdentity = {
      id: `chatcmpl-${runStart?.runId ?? request.id}`,
      created,
      model: input.model,
    };
    const chunker = new ChatCompletionChunker(identity, input.stream_options?.include_usage === true);
    startEventStream(request, reply, threadId ? { [threadHeader]: threadId } : {});
    sse(reply, chunker.start());
    const forward = (event: AgentEvent) => {
      for (const payload of chunker.accept(event)) sse(reply, payload);
    };
    try {
      if (runStart) forward(runStart);
      while (!chunker.done && !controller.signal.aborted) {
        const next = await events.next();
        if (next.done) break;
        forward(next.value);
      }
      if (!chunker.done && !controller.signal.aborted) {
        sse(reply, streamError('incomplete_answer', 'The agent stopped without an answer'));
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        request.log.error({ err: error }, 'chat completion stream failed');
        sse(
          reply,
          isRhizomeError(error) && error.kind !== 'internal'
            ? streamError(error.code, error.message)
            : streamError('internal_error', `Internal server error (request ${request.id})`),
        );
      }
    } finally {
      await events.return?.();
      if (!reply.raw.destroyed) {
        sse(reply, '[DONE]');
        reply.raw.end();
      }
    }
  });
}
