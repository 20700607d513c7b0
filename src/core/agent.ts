import { z } from 'zod';
import { searchFiltersSchema, searchModes } from './search.js';

/**
 * The agent port: what every surface that answers questions (`POST /v1/chat` SSE, the
 * OpenAI-compatible `/v1/chat/completions`, MCP's `ask`, `rhizome ask`, `rhizome eval qa`, the web
 * UI) is written against. The LangGraph implementation lives in `src/agent/`; adapters in
 * `src/server/` translate these events into their own wire formats and never re-implement the agent.
 */

/** `auto` lets the agent choose a search mode per (sub-)question. */
export const agentModes = ['auto', ...searchModes] as const;
export type AgentMode = (typeof agentModes)[number];

export const agentRequestSchema = z.object({
  /** The user's message. */
  message: z.string().trim().min(1).max(8_000),
  /** Continue this conversation thread; a new thread is created when absent. */
  threadId: z.uuid().optional(),
  mode: z.enum(agentModes).default('auto'),
  filters: searchFiltersSchema.default({}),
  /** Upper bounds for this run; the tenant's own limits still apply (the smaller wins). */
  budget: z
    .object({
      maxSteps: z.number().int().min(1).max(20).optional(),
      maxTokens: z.number().int().min(1).max(200_000).optional(),
      timeoutMs: z.number().int().min(1_000).max(600_000).optional(),
    })
    .default({}),
});
export type AgentRequest = z.input<typeof agentRequestSchema>;
export type ParsedAgentRequest = z.output<typeof agentRequestSchema>;

/** A passage the answer cites; `[n]` in the answer text refers to `index` n. */
export interface Citation {
  readonly index: number;
  readonly chunkId: number;
  readonly documentId: string;
  readonly documentTitle: string;
  readonly fileName: string;
  readonly pages: readonly number[];
  readonly sectionPath: readonly string[];
  /** The cited passage (the chunk's text). */
  readonly text: string;
  /** The sentence or span of the passage that supports the claim, when identified. */
  readonly quote?: string;
  /** Whether the checker found the passage supports the sentence that cites it. */
  readonly supported: boolean;
}

export interface AgentUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly steps: number;
  readonly toolCalls: number;
}

export interface AgentAnswer {
  readonly threadId: string;
  readonly runId: string;
  /** The answer with inline `[n]` markers. */
  readonly text: string;
  /**
   * The bare answer without quotes or markers (a name, a date, "Yes"…) when the model gives one:
   * what exact-match scoring and compact clients use. Empty when the documents do not answer.
   */
  readonly shortAnswer?: string;
  readonly citations: readonly Citation[];
  /** True when the documents do not answer the question (the text says so plainly). */
  readonly notFound: boolean;
  /** The model that wrote the answer; `offline` for the extractive default. */
  readonly model: string;
  /** Set when the configured provider failed and the offline model answered instead. */
  readonly degraded?: { readonly reason: string; readonly provider: string };
  readonly usage: AgentUsage;
  readonly tookMs: number;
}

/**
 * What a run streams, in order: `run_start`, then for each graph node `node_start` … `node_end`
 * with any `tool_call`/`tool_result` and `token` events between, then exactly one of `answer` or
 * `error`. Every event carries the run id so several runs can share one stream.
 */
export type AgentEvent =
  | { readonly type: 'run_start'; readonly runId: string; readonly threadId: string }
  | { readonly type: 'node_start'; readonly runId: string; readonly node: string; readonly step: number }
  | {
      readonly type: 'node_end';
      readonly runId: string;
      readonly node: string;
      readonly step: number;
      readonly tookMs: number;
      /** A short human-readable account of what the node decided (the UI's step timeline). */
      readonly summary?: string;
    }
  | {
      readonly type: 'tool_call';
      readonly runId: string;
      readonly callId: string;
      readonly tool: string;
      readonly arguments: Record<string, unknown>;
    }
  | {
      readonly type: 'tool_result';
      readonly runId: string;
      readonly callId: string;
      readonly tool: string;
      /** Passages returned, with the retrieval explanations (SearchHit-shaped for `search`). */
      readonly result: unknown;
      readonly tookMs: number;
    }
  | { readonly type: 'token'; readonly runId: string; readonly text: string }
  | { readonly type: 'answer'; readonly runId: string; readonly answer: AgentAnswer }
  | {
      readonly type: 'error';
      readonly runId: string;
      readonly code: string;
      readonly message: string;
    };

export interface AgentService {
  /**
   * Runs the agent for one message of a thread. The iterable ends after the `answer` or `error`
   * event. Aborting `signal` (a client that disconnects) cancels the run down to SQL and model
   * calls; the run is then recorded as cancelled.
   */
  run(tenantId: string, request: AgentRequest, signal?: AbortSignal): AsyncIterable<AgentEvent>;
  /** Runs to completion and returns the answer (throws the typed error of an `error` event). */
  ask(tenantId: string, request: AgentRequest, signal?: AbortSignal): Promise<AgentAnswer>;
}
