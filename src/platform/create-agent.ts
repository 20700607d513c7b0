import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { Database } from '../core/database.js';
import { AgentSettingsStore } from '../agent/agent-settings.js';
import { ChatOpenAI } from '@langchain/openai';
import { AnswerModels } from '../agent/answer-models.js';
import { OfflineAnswerModel } from '../agent/answer/offline-answer-model.js';
import { ResilientAnswerModel } from '../agent/answer/resilient-answer-model.js';
import { ToolCallingAnswerModel } from '../agent/answer/tool-calling-answer-model.js';
import { LangGraphAgentService } from '../agent/langgraph-agent-service.js';
import { ThreadStore } from '../agent/memory/thread-store.js';
import { AgentTools } from '../agent/tools/agent-tools.js';
import type { SearchService } from '../retrieval/search-service.js';
import { ModelCallTelemetry } from './model-call-telemetry.js';

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
    models: new AnswerModels(providerModels(config, tools, logger)),
    defaults: {
      budget: { maxSteps: config.agent.maxSteps, maxTokens: config.agent.maxTokens, timeoutMs: config.agent.timeoutMs },
      quota: { questionsPerHour: config.agent.questionsPerHour, tokensPerHour: config.agent.tokensPerHour },
    },
    logger: logger.child({ component: 'agent' }),
  });
  return { agent, tools };
}

/**
 * The configured chat provider as an answer model factory: LangChain's ChatOpenAI (any
 * OpenAI-compatible endpoint: OpenAI, Azure OpenAI's v1 API, DashScope, vLLM, Ollama) with tool
 * calling, behind a circuit breaker that falls back to the offline model. Null without a provider.
 */
function providerModels(config: Config, tools: AgentTools, logger: Logger) {
  const chat = config.chat;
  if (chat.provider !== 'openai') return null;
  const offline = new OfflineAnswerModel();
  return {
    defaultModel: chat.model,
    create: (settings: { providerModel?: string | undefined; temperature?: number | undefined }) =>
      new ResilientAnswerModel(
        new ToolCallingAnswerModel(
          new ChatOpenAI({
            model: settings.providerModel ?? chat.model,
            // Spans, latency, tokens and errors per tenant, like every other model call.
            callbacks: [new ModelCallTelemetry(settings.providerModel ?? chat.model)],
            // Local endpoints (vLLM, Ollama) take no key; the client insists on one.
            apiKey: chat.apiKey ?? 'not-needed',
            configuration: { baseURL: chat.baseUrl },
            ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
            timeout: config.modelTimeoutMs,
            maxRetries: config.modelMaxRetries,
            streamUsage: true,
          }),
          tools,
        ),
        offline,
        { failures: config.agent.breakerFailures, resetMs: config.agent.breakerResetMs },
        logger.child({ component: 'agent-model' }),
      ),
  };
}
