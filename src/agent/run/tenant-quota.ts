import type { Database } from '../../core/database.js';
import { QuotaExceededError } from '../../core/errors.js';
import { withTenant } from '../../db/tenant-scope.js';

/** Questions and tokens a tenant may spend per sliding hour; 0 or absent is unlimited. */
export interface QuotaLimits {
  readonly questionsPerHour: number;
  readonly tokensPerHour: number;
}

export interface QuotaUsage {
  readonly questions: number;
  readonly tokens: number;
}

const windowSeconds = 3_600;

/** The deployment's limit, lowered by the tenant's own when it set one (0 = unlimited on either side). */
export function effectiveLimit(deployment: number, tenant: number | undefined): number {
  if (tenant === undefined) return deployment;
  return deployment > 0 ? Math.min(deployment, tenant) : tenant;
}

/**
 * Per-tenant agent quotas over a sliding hour, counted from the runs themselves (agent_runs: every
 * question is a run; its answer records the tokens read and written). Counting from the database
 * makes the quota hold across every process of a deployment, with nothing extra to keep in sync.
 * It is checked before a run starts, so concurrent questions at the edge may overshoot it by the
 * few already running — a quota over an hour, not a lock.
 */
export class TenantQuota {
  constructor(private readonly database: Database) {}

  async usage(tenantId: string): Promise<QuotaUsage & { readonly oldestAgeSeconds: number }> {
    const result = await withTenant(
      this.database,
      tenantId,
      (transaction) =>
        transaction.query<{ questions: number; tokens: string | null; oldest_age: number | null }>(
          `SELECT count(*)::int AS questions,
                  sum(coalesce((answer->'usage'->>'promptTokens')::bigint, 0)
                      + coalesce((answer->'usage'->>'completionTokens')::bigint, 0)) AS tokens,
                  extract(epoch FROM now() - min(created_at))::float8 AS oldest_age
           FROM agent_runs
           WHERE tenant_id = $1 AND created_at > now() - make_interval(secs => $2)`,
          [tenantId, windowSeconds],
        ),
      { readOnly: true },
    );
    const row = result.rows[0];
    return { questions: row?.questions ?? 0, tokens: Number(row?.tokens ?? 0), oldestAgeSeconds: row?.oldest_age ?? 0 };
  }

  /** Refuses a new question when the tenant's hour is used up (429 `agent_quota_exceeded`, with Retry-After). */
  async check(tenantId: string, limits: QuotaLimits): Promise<void> {
    if (limits.questionsPerHour <= 0 && limits.tokensPerHour <= 0) return;
    const used = await this.usage(tenantId);
    // The window moves on when its oldest run leaves it.
    const retryAfter = Math.max(1, Math.ceil(windowSeconds - used.oldestAgeSeconds));
    if (limits.questionsPerHour > 0 && used.questions >= limits.questionsPerHour) {
      throw new QuotaExceededError('questions', limits.questionsPerHour, used.questions, retryAfter);
    }
    if (limits.tokensPerHour > 0 && used.tokens >= limits.tokensPerHour) {
      throw new QuotaExceededError('tokens', limits.tokensPerHour, used.tokens, retryAfter);
    }
  }
}
