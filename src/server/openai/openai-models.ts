import type { AgentMode } from '../../core/agent.js';
import { searchModes } from '../../core/search.js';

/**
 * The models Rhizome offers to OpenAI-compatible clients. Every one is the same agent; the name
 * picks its search mode: `rhizome-agent` lets the agent choose per (sub-)question, `rhizome-<mode>`
 * fixes it (`rhizome-mix`, `rhizome-local`, …).
 */
export const agentModelName = 'rhizome-agent';

export const modelModes: ReadonlyMap<string, AgentMode> = new Map<string, AgentMode>([
  [agentModelName, 'auto'],
  ...searchModes.map((mode) => [`rhizome-${mode}`, mode] as const),
]);

/** Stable across restarts, so clients that cache the list see no change: the day the API appeared. */
const modelsCreated = Math.floor(Date.UTC(2026, 11, 1) / 1000);

export interface OpenAiModel {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  readonly owned_by: 'rhizome';
}

export function listOpenAiModels(): OpenAiModel[] {
  return [...modelModes.keys()].map((id) => ({
    id,
    object: 'model',
    created: modelsCreated,
    owned_by: 'rhizome',
  }));
}
