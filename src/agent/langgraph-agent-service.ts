import { randomUUID } from 'node:crypto';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';
import type { Logger } from 'pino';
import {
  agentRequestSchema,
  type AgentAnswer,
  type AgentEvent,
  type AgentRequest,
  type AgentService,
  type ParsedAgentRequest,
} from '../core/agent.js';
import type { Database } from '../core/database.js';
import { isRhizomeError, RhizomeError, ValidationError } from '../core/errors.js';
import type { AgentSettings, AgentSettingsStore } from './agent-settings.js';
import { buildAgentGraph, type RunEnvironment } from './graph/build-agent-graph.js';
import type { AnswerModel } from './graph/answer-model.js';
import { TenantCheckpointPool } from './memory/tenant-checkpoint-pool.js';
import { titleFrom, type ThreadStore } from './memory/thread-store.js';
import { EventQueue } from './run/event-queue.js';
import { RunContext, type RunBudget } from './run/run-trace.js';
import { effectiveLimit, TenantQuota, type QuotaLimits } from './run/tenant-quota.js';
import type { AgentTools } from './tools/agent-tools.js';
import { withSpan, withTelemetryTenant } from '../core/telemetry.js';

/** Checkpoints live in their own schema (see migration 0004). */
export const checkpointSchema = 'agent_checkpoints';

export interface AgentDefaults {
  readonly budget: RunBudget;
  /** The deployment's per-tenant quotas per sliding hour (0 = unlimited); absent = unlimited. */
  readonly quota?: QuotaLimits;
}

export interface AnswerModelSelector {
  /** The model that answers for a tenant with these settings (resilient: it degrades, never fails). */
  select(settings: AgentSettings): AnswerModel;
}

export interface LangGraphAgentServiceDependencies {
  readonly database: Database;
  readonly tools: AgentTools;
  readonly threads: ThreadStore;
  readonly settings: AgentSettingsStore;
  readonly models: AnswerModelSelector;
  readonly defaults: AgentDefaults;
  readonly logger: Logger;
}

/** Raised when the run's time budget ends before an answer. */
export class RunTimeoutError extends RhizomeError {
  constructor(timeoutMs: number) {
    super('time_budget_exceeded', 'unavailable', 'system', `The agent did not answer within its time budget of ${timeoutMs} ms`);
  }
}

/** Raised for a run the caller cancelled (the client disconnected). */
export class RunCancelledError extends RhizomeError {
  constructor() {
    super('run_cancelled', 'unavailable', 'user', 'The run was cancelled');
  }
}

function parseRequest(request: AgentRequest): ParsedAgentRequest {
  const result = agentRequestSchema.safeParse(request);
  if (result.success) return result.data;
  throw new ValidationError(
    'Invalid agent request',
    result.error.issues.map((issue) => ({ path: ['body', ...issue.path.map(String)].join('.'), message: issue.message })),
  );
}

/** The smaller of the deployment's default, the tenant's limit and the request's ask, per budget. */
function resolveBudget(defaults: RunBudget, tenant: AgentSettings['budget'], request: ParsedAgentRequest['budget']): RunBudget {
  const pick = (key: keyof RunBudget) => Math.min(tenant[key] ?? defaults[key], request[key] ?? Number.POSITIVE_INFINITY);
  return { maxSteps: pick('maxSteps'), maxTokens: pick('maxTokens'), timeoutMs: pick('timeoutMs') };
}

/**
 * The agent port, implemented with the LangGraph graph of src/agent/graph. One run: resolve the
 * thread (creating it, or refusing another tenant's), record the run, run the graph with the
 * tenant's PostgreSQL checkpointer (the thread's memory), stream its events, and store the answer
 * with its trace. Cancellation (the caller's signal) and the time budget abort the graph, its
 * SQL between statements and its model calls.
 */
export class LangGraphAgentService implements AgentService {
  private readonly environments = new Map<string, RunEnvironment>();
  private readonly quota: TenantQuota;

  constructor(private readonly dependencies: LangGraphAgentServiceDependencies) {
    this.quota = new TenantQuota(dependencies.database);
  }

  get threads(): ThreadStore {
    return this.dependencies.threads;
  }

  get settings(): AgentSettingsStore {
    return this.dependencies.settings;
  }

  async ask(tenantId: string, request: AgentRequest, signal?: AbortSignal): Promise<AgentAnswer> {
    for await (const event of this.run(tenantId, request, signal)) {
      if (event.type === 'answer') return event.answer;
      if (event.type === 'error') {
        if (event.code === 'run_cancelled') throw new RunCancelledError();
        if (event.code === 'time_budget_exceeded') throw new RunTimeoutError(0);
        throw new RhizomeError(event.code, 'internal', 'system', event.message);
      }
    }
    throw new RunCancelledError();
  }

  async *run(tenantId: string, input: AgentRequest, signal?: AbortSignal): AsyncIterable<AgentEvent> {
    const request = parseRequest(input);
    const { threads, logger } = this.dependencies;
    const threadId = request.threadId ?? randomUUID();
    const runId = randomUUID();
    const settings = await this.dependencies.settings.get(tenantId);
    const deployment = this.dependencies.defaults.quota;
    await this.quota.check(tenantId, {
      questionsPerHour: effectiveLimit(deployment?.questionsPerHour ?? 0, settings.quota.questionsPerHour),
      tokensPerHour: effectiveLimit(deployment?.tokensPerHour ?? 0, settings.quota.tokensPerHour),
    });
    await threads.ensure(tenantId, threadId, titleFrom(request.message));
    await threads.startRun(tenantId, { id: runId, threadId, question: request.message, mode: request.mode });
    const budget = resolveBudget(this.dependencies.defaults.budget, settings.budget, request.budget);

    const queue = new EventQueue<AgentEvent>();
    const controller = new AbortController();
    const onAbort = () => controller.abort(new RunCancelledError());
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new RunTimeoutError(budget.timeoutMs)), budget.timeoutMs);
    const context = new RunContext(runId, threadId, tenantId, budget, controller.signal, (event) => queue.push(event));
    const answerModel = this.dependencies.models.select(settings);
    this.environments.set(runId, { context, answerModel });
    const started = performance.now();
    queue.push({ type: 'run_start', runId, threadId });

    const graph = buildAgentGraph({
      tools: this.dependencies.tools,
      checkpointer: new PostgresSaver(
        new TenantCheckpointPool(this.dependencies.database, tenantId) as unknown as pg.Pool,
        undefined,
        { schema: checkpointSchema },
      ),
      environmentOf: (id) => {
        const environment = this.environments.get(id);
        if (!environment) throw new Error(`no environment for run ${id}`);
        return environment;
      },
    });

    // The run's span parents its nodes' spans; model calls inside count tokens against the tenant.
    const finished = withTelemetryTenant(tenantId, () =>
      withSpan('agent.run', { 'rhizome.tenant': tenantId, 'rhizome.agent.run': runId }, async () => {
      try {
        const state = await graph.invoke(
          { question: request.message, requestedMode: request.mode, filters: request.filters },
          {
            configurable: { thread_id: threadId, run_id: runId },
            signal: controller.signal,
            // The thread's memory is written once, when the run ends: intermediate checkpoints would
            // cost a write per node and a crashed run has nothing worth resuming mid-way.
            durability: 'exit',
            recursionLimit: budget.maxSteps + 4,
          },
        );
        const draft = state.draft!;
        for (const piece of draft.text.split(/(?<=\n\n)/)) queue.push({ type: 'token', runId, text: piece });
        const answer: AgentAnswer = {
          threadId,
          runId,
          text: draft.text,
          shortAnswer: draft.shortAnswer,
          citations: draft.citations,
          notFound: draft.notFound,
          model: draft.model,
          ...(draft.degraded ? { degraded: draft.degraded } : {}),
          usage: {
            promptTokens: context.promptTokens,
            completionTokens: context.completionTokens,
            steps: context.stepCount,
            toolCalls: context.toolCalls,
          },
          tookMs: performance.now() - started,
        };
        await threads.finishRun(tenantId, runId, {
          status: 'completed',
          answer,
          model: draft.model,
          trace: context.trace,
          tookMs: answer.tookMs,
        });
        queue.push({ type: 'answer', runId, answer });
      } catch (error) {
        const reason = controller.signal.aborted ? controller.signal.reason : error;
        const failure = isRhizomeError(reason)
          ? { code: reason.code, message: reason.message }
          : { code: 'agent_failed', message: 'The agent failed to answer' };
        const status = reason instanceof RunCancelledError ? 'cancelled' : 'failed';
        if (status === 'failed') logger.error({ err: error, runId, tenantId }, 'agent run failed');
        await threads
          .finishRun(tenantId, runId, { status, error: failure, trace: context.trace, tookMs: performance.now() - started })
          .catch((recordError: unknown) => logger.warn({ err: recordError, runId }, 'could not record the run outcome'));
        queue.push({ type: 'error', runId, ...failure });
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.environments.delete(runId);
        queue.close();
      }
    }));

    try {
      for await (const event of queue) yield event;
    } finally {
      // The consumer stopped early (a disconnected client): cancel the run and let it record itself.
      if (!controller.signal.aborted) controller.abort(new RunCancelledError());
      await finished;
    }
  }
}
