import type { AgentAnswer, AgentEvent, Citation } from '../../core/agent.js';

/**
 * Agent answers in OpenAI's chat-completion wire format. The answer text keeps its `[n]` markers and
 * gains a "Sources" list, so clients that only show `content` still show where each claim comes
 * from; the same citations, structured, go in the extra `citations` field for clients that read it.
 */

export interface CompletionIdentity {
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  readonly model: string;
}

export interface OpenAiCitation {
  readonly index: number;
  readonly chunk_id: number;
  readonly document_id: string;
  readonly document_title: string;
  readonly file_name: string;
  readonly pages: readonly number[];
  readonly section_path: readonly string[];
  readonly text: string;
  readonly quote: string | null;
  readonly supported: boolean;
}

export interface RhizomeExtension {
  readonly thread_id: string;
  readonly run_id: string;
  readonly not_found: boolean;
  /** The model that wrote the answer (`offline` for the extractive default). */
  readonly answer_model: string;
  readonly degraded: { readonly reason: string; readonly provider: string } | null;
}

export interface OpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

export function toOpenAiCitation(citation: Citation): OpenAiCitation {
  return {
    index: citation.index,
    chunk_id: citation.chunkId,
    document_id: citation.documentId,
    document_title: citation.documentTitle,
    file_name: citation.fileName,
    pages: citation.pages,
    section_path: citation.sectionPath,
    text: citation.text,
    quote: citation.quote ?? null,
    supported: citation.supported,
  };
}

function describeSource(citation: Citation): string {
  const title = citation.documentTitle || citation.fileName;
  const where: string[] = [];
  if (citation.documentTitle && citation.fileName !== citation.documentTitle) where.push(citation.fileName);
  if (citation.pages.length > 0) {
    where.push(
      citation.pages.length === 1
        ? `p. ${citation.pages[0]}`
        : `pp. ${citation.pages[0]}–${citation.pages.at(-1)}`,
    );
  }
  if (citation.sectionPath.length > 0) where.push(citation.sectionPath.join(' › '));
  return `[${citation.index}] ${title}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
}

/** The "Sources" list appended to the answer text; empty when nothing is cited. */
export function sourcesBlock(citations: readonly Citation[]): string {
  if (citations.length === 0) return '';
  return `\n\nSources:\n${[...citations]
    .sort((left, right) => left.index - right.index)
    .map(describeSource)
    .join('\n')}`;
}

export function usageOf(answer: AgentAnswer): OpenAiUsage {
  return {
    prompt_tokens: answer.usage.promptTokens,
    completion_tokens: answer.usage.completionTokens,
    total_tokens: answer.usage.promptTokens + answer.usage.completionTokens,
  };
}

export function rhizomeExtension(answer: AgentAnswer): RhizomeExtension {
  return {
    thread_id: answer.threadId,
    run_id: answer.runId,
    not_found: answer.notFound,
    answer_model: answer.model,
    degraded: answer.degraded ?? null,
  };
}

/** A complete (non-streamed) `chat.completion`. */
export function chatCompletion(identity: CompletionIdentity, answer: AgentAnswer) {
  return {
    id: identity.id,
    object: 'chat.completion' as const,
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: answer.text + sourcesBlock(answer.citations),
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'stop' as const,
      },
    ],
    usage: usageOf(answer),
    citations: answer.citations.map(toOpenAiCitation),
    rhizome: rhizomeExtension(answer),
  };
}

export type StreamPayload = Record<string, unknown>;

/**
 * Turns one run's agent events into `chat.completion.chunk` payloads: a first chunk with the
 * assistant role, one chunk per answer token, the rest of the answer and its sources when the
 * answer arrives, a last chunk with `finish_reason` and the citations, then (when the client asked
 * with `stream_options.include_usage`) a chunk with no choices and the usage. Steps, tool calls and
 * passages are not part of OpenAI's format and are left out (`POST /v1/chat` streams them).
 */
export class ChatCompletionChunker {
  private streamed = '';
  private finished = false;

  constructor(
    private readonly identity: CompletionIdentity,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(choices: unknown[], extra: Record<string, unknown> = {}): StreamPayload {
    return {
      id: this.identity.id,
      object: 'chat.completion.chunk',
      created: this.identity.created,
      model: this.identity.model,
      system_fingerprint: null,
      choices,
      ...(this.includeUsage ? { usage: null } : {}),
      ...extra,
    };
  }

  private delta(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
    return { index: 0, delta, logprobs: null, finish_reason: finishReason };
  }

  /** The first chunk, sent before any event. */
  start(): StreamPayload {
    return this.chunk([this.delta({ role: 'assistant', content: '' })]);
  }

  get done(): boolean {
    return this.finished;
  }

  /** The payloads for one event; most events (steps, tool calls) yield none. */
  accept(event: AgentEvent): StreamPayload[] {
    if (this.finished) return [];
    switch (event.type) {
      case 'token':
        if (event.text.length === 0) return [];
        this.streamed += event.text;
        return [this.chunk([this.delta({ content: event.text })])];
      case 'answer': {
        this.finished = true;
        const { answer } = event;
        // Tokens normally spell the answer; whatever they did not (all of it, for a model that
        // does not stream) follows in one chunk, then the sources.
        const rest = answer.text.startsWith(this.streamed) ? answer.text.slice(this.streamed.length) : '';
        const tail = rest + sourcesBlock(answer.citations);
        const payloads: StreamPayload[] = [];
        if (tail.length > 0) payloads.push(this.chunk([this.delta({ content: tail })]));
        payloads.push(
          this.chunk([this.delta({}, 'stop')], {
            citations: answer.citations.map(toOpenAiCitation),
            rhizome: rhizomeExtension(answer),
          }),
        );
        if (this.includeUsage) payloads.push({ ...this.chunk([]), usage: usageOf(answer) });
        return payloads;
      }
      case 'error':
        this.finished = true;
        return [streamError(event.code, event.message)];
      default:
        return [];
    }
  }
}

/** An error inside a stream, in the shape OpenAI SDKs raise as an APIError. */
export function streamError(code: string, message: string): StreamPayload {
  return { error: { message, type: code === 'cancelled' ? 'cancelled' : 'server_error', param: null, code } };
}
