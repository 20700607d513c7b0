import type { AgentAnswer } from '../../core/agent.js';
import type { Database, Queryable } from '../../core/database.js';
import { NotFoundError } from '../../core/errors.js';
import { withTenant } from '../../db/tenant-scope.js';
import type { TraceStep } from '../run/run-trace.js';

export interface ThreadRecord {
  readonly id: string;
  readonly title: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly runCount: number;
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunRecord {
  readonly id: string;
  readonly threadId: string;
  readonly status: RunStatus;
  readonly question: string;
  readonly mode: string;
  readonly model: string | null;
  readonly answer: AgentAnswer | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly trace: readonly TraceStep[];
  readonly tookMs: number | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

interface ThreadRow {
  id: string;
  title: string;
  created_at: Date;
  updated_at: Date;
  run_count: number;
}

interface RunRow {
  id: string;
  thread_id: string;
  status: RunStatus;
  question: string;
  mode: string;
  model: string | null;
  answer: AgentAnswer | null;
  error: { code: string; message: string } | null;
  trace: TraceStep[];
  took_ms: number | null;
  created_at: Date;
  finished_at: Date | null;
}

const toThread = (row: ThreadRow): ThreadRecord => ({
  id: row.id,
  title: row.title,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  runCount: row.run_count,
});

const toRun = (row: RunRow): RunRecord => ({
  id: row.id,
  threadId: row.thread_id,
  status: row.status,
  question: row.question,
  mode: row.mode,
  model: row.model,
  answer: row.answer,
  error: row.error,
  trace: row.trace,
  tookMs: row.took_ms,
  createdAt: row.created_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
});

const threadColumns = `t.id, t.title, t.created_at, t.updated_at,
  (SELECT count(*)::int FROM agent_runs r WHERE r.thread_id = t.id) AS run_count`;

/** A title from the first question: its first line, at most 80 characters, cut at a word. */
export function titleFrom(question: string): string {
  const line = question.trim().split('\n')[0]!.trim();
  if (line.length <= 80) return line;
  const cut = line.slice(0, 80);
  const space = cut.lastIndexOf(' ');
  return `${space > 40 ? cut.slice(0, space) : cut}…`;
}

/**
 * Threads and runs (with their traces) of a tenant, under row-level security. The conversation
 * state itself lives in LangGraph's checkpoints; deleting a thread deletes those too.
 */
export class ThreadStore {
  constructor(private readonly database: Database) {}

  private scoped<T>(tenantId: string, work: (transaction: Queryable) => Promise<T>, readOnly = false): Promise<T> {
    return withTenant(this.database, tenantId, work, { readOnly });
  }

  /** Creates the thread when it does not exist; a thread id of another tenant is refused as not found. */
  async ensure(tenantId: string, threadId: string, title: string): Promise<{ created: boolean }> {
    return this.scoped(tenantId, async (transaction) => {
      const existing = await transaction.query('SELECT 1 FROM agent_threads WHERE id = $1', [threadId]);
      if (existing.rowCount > 0) {
        await transaction.query('UPDATE agent_threads SET updated_at = now() WHERE id = $1', [threadId]);
        return { created: false };
      }
      // The id may exist for another tenant: RLS hides it, the primary key still refuses it.
      const inserted = await transaction.query(
        `INSERT INTO agent_threads (id, tenant_id, title) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
        [threadId, tenantId, title],
      );
      if (inserted.rowCount === 0) throw new NotFoundError('thread', threadId);
      return { created: true };
    });
  }

  async exists(tenantId: string, threadId: string): Promise<boolean> {
    const result = await this.scoped(tenantId, (transaction) => transaction.query('SELECT 1 FROM agent_threads WHERE id = $1', [threadId]), true);
    return result.rowCount > 0;
  }

  async get(tenantId: string, threadId: string): Promise<ThreadRecord> {
    const result = await this.scoped(
      tenantId,
      (transaction) => transaction.query<ThreadRow>(`SELECT ${threadColumns} FROM agent_threads t WHERE t.id = $1`, [threadId]),
      true,
    );
    const row = result.rows[0];
    if (!row) throw new NotFoundError('thread', threadId);
    return toThread(row);
  }

  async list(tenantId: string, options: { limit: number; before?: string | undefined }): Promise<ThreadRecord[]> {
    const result = await this.scoped(
      tenantId,
      (transaction) =>
        transaction.query<ThreadRow>(
          `SELECT ${threadColumns} FROM agent_threads t
           WHERE ($2::timestamptz IS NULL OR t.updated_at < $2::timestamptz)
           ORDER BY t.updated_at DESC, t.id LIMIT $1`,
          [options.limit, options.before ?? null],
        ),
      true,
    );
    return result.rows.map(toThread);
  }

  async rename(tenantId: string, threadId: string, title: string): Promise<ThreadRecord> {
    const updated = await this.scoped(tenantId, (transaction) =>
      transaction.query('UPDATE agent_threads SET title = $2, updated_at = now() WHERE id = $1', [threadId, title]),
    );
    if (updated.rowCount === 0) throw new NotFoundError('thread', threadId);
    return this.get(tenantId, threadId);
  }

  async delete(tenantId: string, threadId: string): Promise<void> {
    await this.scoped(tenantId, async (transaction) => {
      const deleted = await transaction.query('DELETE FROM agent_threads WHERE id = $1', [threadId]);
      if (deleted.rowCount === 0) throw new NotFoundError('thread', threadId);
      for (const table of ['checkpoint_writes', 'checkpoint_blobs', 'checkpoints']) {
        await transaction.query(`DELETE FROM agent_checkpoints.${table} WHERE thread_id = $1`, [threadId]);
      }
    });
  }

  async startRun(tenantId: string, run: { id: string; threadId: string; question: string; mode: string }): Promise<void> {
    await this.scoped(tenantId, (transaction) =>
      transaction.query(
        `INSERT INTO agent_runs (id, tenant_id, thread_id, status, question, mode) VALUES ($1, $2, $3, 'running', $4, $5)`,
        [run.id, tenantId, run.threadId, run.question, run.mode],
      ),
    );
  }

  async finishRun(
    tenantId: string,
    runId: string,
    outcome: {
      status: Exclude<RunStatus, 'running'>;
      answer?: AgentAnswer;
      error?: { code: string; message: string };
      model?: string;
      trace: readonly TraceStep[];
      tookMs: number;
    },
  ): Promise<void> {
    await this.scoped(tenantId, (transaction) =>
      transaction.query(
        `UPDATE agent_runs SET status = $2, answer = $3::jsonb, error = $4::jsonb, model = $5, trace = $6::jsonb,
                took_ms = $7, finished_at = now()
         WHERE id = $1`,
        [
          runId,
          outcome.status,
          outcome.answer ? JSON.stringify(outcome.answer) : null,
          outcome.error ? JSON.stringify(outcome.error) : null,
          outcome.model ?? null,
          JSON.stringify(outcome.trace),
          outcome.tookMs,
        ],
      ),
    );
  }

  async getRun(tenantId: string, threadId: string, runId: string): Promise<RunRecord> {
    const result = await this.scoped(
      tenantId,
      (transaction) =>
        transaction.query<RunRow>(
          `SELECT id, thread_id, status, question, mode, model, answer, error, trace, took_ms, created_at, finished_at
           FROM agent_runs WHERE id = $1 AND thread_id = $2`,
          [runId, threadId],
        ),
      true,
    );
    const row = result.rows[0];
    if (!row) throw new NotFoundError('run', runId);
    return toRun(row);
  }

  /** The thread's runs, oldest first, without their traces (the conversation as the UI shows it). */
  async listRuns(tenantId: string, threadId: string): Promise<Omit<RunRecord, 'trace'>[]> {
    await this.get(tenantId, threadId);
    const result = await this.scoped(
      tenantId,
      (transaction) =>
        transaction.query<RunRow>(
          `SELECT id, thread_id, status, question, mode, model, answer, error, '[]'::jsonb AS trace, took_ms, created_at, finished_at
           FROM agent_runs WHERE thread_id = $1 ORDER BY created_at, id`,
          [threadId],
        ),
      true,
    );
    return result.rows.map((row) => {
      const { trace: _trace, ...run } = toRun(row);
      return run;
    });
  }
}
