import { z } from 'zod';
import type { Database } from '../core/database.js';
import { withTenant } from '../db/tenant-scope.js';

/**
 * Per-tenant agent settings: which model answers (the offline extractive model, or the chat
 * provider the deployment configured, optionally with another model name on that endpoint), and
 * the tenant's budgets — a request may ask for less, never for more. Provider credentials stay in
 * the deployment's configuration: tenants choose among what the operator provides.
 */
export const agentSettingsSchema = z
  .object({
    model: z.enum(['offline', 'provider']).optional(),
    providerModel: z.string().trim().min(1).max(200).optional(),
    temperature: z.number().min(0).max(2).optional(),
    budget: z
      .object({
        maxSteps: z.number().int().min(4).max(20).optional(),
        maxTokens: z.number().int().min(1).max(200_000).optional(),
        timeoutMs: z.number().int().min(1_000).max(600_000).optional(),
      })
      .strict()
      .default({}),
    /**
     * The tenant's own quotas per sliding hour. They can only lower the deployment's
     * (RHIZOME_AGENT_QUESTIONS_PER_HOUR / _TOKENS_PER_HOUR): a tenant caps its spending, never lifts the operator's cap.
     */
    quota: z
      .object({
        questionsPerHour: z.number().int().min(1).max(100_000_000).optional(),
        tokensPerHour: z.number().int().min(1).max(1_000_000_000_000).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type AgentSettings = z.output<typeof agentSettingsSchema>;

export class AgentSettingsStore {
  constructor(private readonly database: Database) {}

  async get(tenantId: string): Promise<AgentSettings> {
    const result = await withTenant(
      this.database,
      tenantId,
      (transaction) => transaction.query<{ settings: unknown }>('SELECT settings FROM agent_settings WHERE tenant_id = $1', [tenantId]),
      { readOnly: true },
    );
    return agentSettingsSchema.parse(result.rows[0]?.settings ?? {});
  }

  async put(tenantId: string, settings: z.input<typeof agentSettingsSchema>): Promise<AgentSettings> {
    const parsed = agentSettingsSchema.parse(settings);
    await withTenant(this.database, tenantId, (transaction) =>
      transaction.query(
        `INSERT INTO agent_settings (tenant_id, settings) VALUES ($1, $2::jsonb)
         ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
        [tenantId, JSON.stringify(parsed)],
      ),
    );
    return parsed;
  }
}
