import type { AgentEvent, AgentMode, AgentRequest } from '../core/agent.js';
import type { Runtime } from '../platform/runtime.js';

/** The agent's events for one question: run in this process, or streamed from the running server. */
export type AgentEvents = (request: AgentRequest, signal: AbortSignal) => AsyncIterable<AgentEvent>;

/** The agent of an open runtime (no server holds the data folder). */
export async function runtimeAgentEvents(runtime: Runtime, tenant: string): Promise<AgentEvents> {
  const { id } = await runtime.tenants.get(tenant);
  return (request, signal) => runtime.agent.run(id, request, signal);
}

export interface AskOptions {
  readonly tenant: string;
  readonly mode: AgentMode;
  readonly thread?: string;
  readonly json?: boolean;
}

function describeEvent(event: AgentEvent): string | null {
  switch (event.type) {
    case 'node_end':
      return `  ${event.node.padEnd(10)} ${event.summary ?? ''} (${event.tookMs.toFixed(0)} ms)`;
    case 'tool_call':
      return `    → ${event.tool} ${JSON.stringify(event.arguments)}`;
    case 'error':
      return `error: ${event.message} [${event.code}]`;
    default:
      return null;
  }
}

/**
 * `rhizome ask "question"`: runs the agent and streams its steps to stderr as they happen, then
 * prints the answer with its numbered sources to stdout (or, with --json, the answer object).
 */
export async function ask(events: AgentEvents, question: string, options: AskOptions): Promise<boolean> {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  try {
    for await (const event of events(
      { message: question, mode: options.mode, ...(options.thread ? { threadId: options.thread } : {}) },
      controller.signal,
    )) {
      const line = describeEvent(event);
      if (line) process.stderr.write(`${line}\n`);
      if (event.type === 'error') return false;
      if (event.type !== 'answer') continue;
      const { answer } = event;
      if (options.json) {
        process.stdout.write(`${JSON.stringify(answer)}\n`);
        return true;
      }
      const sources = answer.citations.map((citation) => {
        const where = [citation.documentTitle || citation.fileName, ...citation.sectionPath.slice(1)].join(' › ');
        const pages = citation.pages.length > 0 ? `, p. ${citation.pages.join(', ')}` : '';
        return `[${citation.index}] ${where}${pages}${citation.supported ? '' : ' (support not confirmed)'}`;
      });
      const degraded = answer.degraded ? `\n(answered by the offline model: ${answer.degraded.reason})` : '';
      process.stdout.write(`${answer.text}\n${sources.length > 0 ? `\n${sources.join('\n')}\n` : ''}${degraded}\nthread ${answer.threadId}\n`);
      return true;
    }
    return false;
  } finally {
    process.off('SIGINT', cancel);
  }
}
