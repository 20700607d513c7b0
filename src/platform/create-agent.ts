import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { Database } from '../core/database.js';
import { AgentSettingsStore } from '../agent/agent-settings.js';
import { AnswerModels } from '../agent/answer-models.js';
import { LangGraphAgentService } from '../agent/langgraph-agent-service.js';
import { ThreadStore } from '../agent/memory/thread-store.js';
import { AgentTools } from '../agent/tools/agent-tools.js';
import type { SearchService } from '../retrieval/search-service.js';

/** The agent and its tools, wired from the configuration. */
export function createAgent(
  config: Config,
  database: Database,
  search: SearchService,
  logger: Logger,
): { agent: LangGraphAgentService; tools: AgentTools } {
  const tools = new AgentTools({
    database,
    search,
    ...(config.statementTimeoutMs ? { statementTimeoutMs: config.statementTimeoutMs } : {}),
  });
  const agent = new LangGraphAgentService({
    database,
    tools,
    threads: new ThreadStore(database),
    settings: new AgentSettingsStore(database),
    models: new AnswerModels(null),
    defaults: {
      budget: { maxSteps: config.agent.maxSteps, maxTokens: config.agent.maxTokens, timeoutMs: config.agent.timeoutMs },
    },
    logger: logger.child({ component: 'agent' }),
  });
  return { agent, tools };
}
