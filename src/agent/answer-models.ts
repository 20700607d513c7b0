import type { AgentSettings } from './agent-settings.js';
import { OfflineAnswerModel } from './answer/offline-answer-model.js';
import type { AnswerModel } from './graph/answer-model.js';
import type { AnswerModelSelector } from './langgraph-agent-service.js';

/** Builds the model that answers with a given provider model name (a chat model with tools). */
export type ProviderAnswerModelFactory = (settings: AgentSettings) => AnswerModel;

/**
 * Picks the answer model per tenant: the offline extractive model unless the deployment configured
 * a chat provider and the tenant did not opt out of it. Provider models are built once per model
 * name and kept, so their circuit breakers outlive a single request.
 */
export class AnswerModels implements AnswerModelSelector {
  private readonly offline = new OfflineAnswerModel();
  private readonly providerModels = new Map<string, AnswerModel>();

  constructor(private readonly provider: { readonly defaultModel: string; readonly create: ProviderAnswerModelFactory } | null) {}

  select(settings: AgentSettings): AnswerModel {
    if (!this.provider || settings.model === 'offline') return this.offline;
    const key = `${settings.providerModel ?? this.provider.defaultModel}:${settings.temperature ?? ''}`;
    let model = this.providerModels.get(key);
    if (!model) {
      model = this.provider.create(settings);
      this.providerModels.set(key, model);
    }
    return model;
  }
}
