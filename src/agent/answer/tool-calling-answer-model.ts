import type { AIMessageChunk} from '@langchain/core/messages';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { tool, type StructuredToolInterface } from '@langchain/core/tools';
import type { ChatOpenAI } from '@langchain/openai';
import type { z } from 'zod';
import type { Citation } from '../../core/agent.js';
import { UpstreamError } from '../../core/errors.js';
import type { AnswerInput, AnswerModel, AnswerOutput } from '../graph/answer-model.js';
import type { RunContext } from '../run/run-trace.js';
import {
  entityToolInput,
  getChunkToolInput,
  getDocumentToolInput,
  graphNeighborsToolInput,
  hitToPassage,
  searchToolInput,
  type AgentTools,
  type Passage,
} from '../tools/agent-tools.js';
import { citationFor, notFoundText } from './compose-answer.js';
import { formatPassages, passageRules } from './passage-prompt.js';

/** Passages of the retrieval steps handed to the model up front. */
const initialPassages = 8;

const systemPrompt = [
  'You are Rhizome, an assistant that answers questions from a collection of documents.',
  'Answer only from the passages you are given or fetch with the tools. Cite every claim with the',
  'number of its passage in square brackets, e.g. [2]; cite only passages that support the claim.',
  'Be concise. When the passages do not answer the question, say exactly:',
  '"The documents do not answer this question." (or in Chinese: "文档中没有找到这个问题的答案。").',
  'Answer in the language of the question.',
  passageRules,
].join(' ');

/**
 * A chat model with tool calling (any OpenAI-compatible endpoint through LangChain's ChatOpenAI):
 * it reads the retrieved passages, may call the read-only tools for more (each call validated
 * with the tool's zod schema and recorded in the trace), and writes the answer with `[n]` markers
 * that map to the numbered passages. Token, step and time budgets bound the loop.
 */
export class ToolCallingAnswerModel implements AnswerModel {
  readonly name: string;

  constructor(
    private readonly chat: ChatOpenAI,
    private readonly tools: AgentTools,
  ) {
    this.name = chat.model;
  }

  async answer(input: AnswerInput): Promise<AnswerOutput> {
    const { context } = input;
    const passages: Passage[] = input.passages.slice(0, initialPassages);
    const fetched: Passage[] = [];
    const register = (found: readonly Passage[]): string => {
      const fresh = found.filter((passage) => !passages.some((known) => known.chunkId === passage.chunkId));
      const first = passages.length + 1;
      passages.push(...fresh);
      fetched.push(...fresh);
      const known = found.filter((passage) => !fresh.includes(passage));
      const repeated = known.map((passage) => `(already given as passage ${passages.findIndex((p) => p.chunkId === passage.chunkId) + 1})`);
      return [fresh.length > 0 ? formatPassages(fresh, first) : 'No new passages.', ...repeated].join('\n');
    };
    const tools = this.toolsFor(context, register);
    const model = this.chat.bindTools(tools);
    const history = input.history.slice(-3).flatMap((turn) => [new HumanMessage(turn.question), new AIMessage(turn.answer)]);
    const messages: BaseMessage[] = [
      new SystemMessage(systemPrompt),
      ...history,
      new HumanMessage(`Question: ${input.rewritten}\n\nPassages:\n\n${formatPassages(passages)}`),
    ];
    let promptTokens = 0;
    let completionTokens = 0;
    for (;;) {
      context.signal.throwIfAborted();
      const maxTokens = Math.max(1, Math.min(2_048, context.tokensLeft()));
      let response: AIMessageChunk | undefined;
      const stream = await model.stream(messages, { signal: context.signal, maxTokens } as never);
      const tokens: string[] = [];
      for await (const chunk of stream) {
        response = response ? response.concat(chunk) : chunk;
        if (typeof chunk.content === 'string' && chunk.content.length > 0 && !(chunk.tool_call_chunks?.length)) {
          tokens.push(chunk.content);
          context.send({ type: 'token', runId: context.runId, text: chunk.content });
        }
      }
      if (!response) throw new UpstreamError('chat_empty_response', 'The chat model returned nothing');
      const usage = response.usage_metadata;
      promptTokens += usage?.input_tokens ?? 0;
      completionTokens += usage?.output_tokens ?? 0;
      context.promptTokens += usage?.input_tokens ?? 0;
      context.completionTokens += usage?.output_tokens ?? 0;
      messages.push(new AIMessage({ content: response.content, tool_calls: response.tool_calls ?? [] }));
      const calls = response.tool_calls ?? [];
      // The loop ends on a plain answer, or when the budgets leave no room for another round.
      if (calls.length === 0 || !context.canContinue() || context.tokensLeft() <= 0) {
        const text = typeof response.content === 'string' ? response.content.trim() : tokens.join('').trim();
        return { draft: this.draftFrom(text, passages, input), passages: fetched, usage: { promptTokens, completionTokens } };
      }
      for (const call of calls) {
        const chosen = tools.find((candidate) => candidate.name === call.name);
        let content: string;
        if (!chosen) {
          content = `Unknown tool ${call.name}. Available: ${tools.map((candidate) => candidate.name).join(', ')}.`;
        } else {
          try {
            content = String(await chosen.invoke(call.args));
          } catch (error) {
            // Invalid arguments (zod) and tool failures go back to the model as the tool's answer.
            content = `Tool error: ${error instanceof Error ? error.message : String(error)}`;
          }
        }
        messages.push(new ToolMessage({ content, tool_call_id: call.id ?? call.name }));
      }
    }
  }

  private draftFrom(text: string, passages: readonly Passage[], input: AnswerInput): AnswerOutput['draft'] {
    const cited = [...new Set([...text.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1])))].filter(
      (number) => number >= 1 && number <= passages.length,
    );
    const citations: Citation[] = cited.sort((left, right) => left - right).map((number) => citationFor(number, passages[number - 1]!, undefined, true));
    const notFound = text.length === 0 || text.includes(notFoundText('en')) || text.includes(notFoundText('zh'));
    return {
      text: text.length === 0 ? notFoundText(input.question.language) : text,
      shortAnswer: '',
      citations: notFound ? [] : citations,
      notFound,
      model: this.name,
    };
  }

  /** The read-only tools as LangChain tools; each validates its input with its zod schema. */
  private toolsFor(context: RunContext, register: (found: readonly Passage[]) => string): StructuredToolInterface[] {
    const { tools } = this;
    const tenantId = context.tenantId;
    const define = <Schema extends z.ZodObject>(
      name: string,
      description: string,
      schema: Schema,
      run: (input: z.output<Schema>) => Promise<{ text: string; chunkIds: number[]; entities?: string[] }>,
    ) =>
      tool(
        async (raw: unknown) => {
          const parsed = schema.parse(raw) as z.output<Schema>;
          const outcome = await context.tool(name, parsed as Record<string, unknown>, () => run(parsed), (value) => ({
            result: value.text,
            chunkIds: value.chunkIds,
            ...(value.entities ? { entities: value.entities } : {}),
          }));
          return outcome.text;
        },
        { name, description, schema },
      );
    return [
      define('search', 'Search the documents (modes: naive, bm25, local, global, hybrid, mix). Returns numbered passages.', searchToolInput, async (input) => {
        const response = await tools.search(tenantId, input, context.signal);
        const found = response.hits.map(hitToPassage);
        return { text: register(found), chunkIds: found.map((passage) => passage.chunkId) };
      }),
      define('graph_neighbors', 'Entities related to an entity in the knowledge graph, with the passages that relate them.', graphNeighborsToolInput, async (input) => {
        const result = await tools.graphNeighbors(tenantId, input, context.signal);
        const lines = result.edges.map((edge) => `${edge.source} — ${edge.target} (${edge.targetType}, weight ${edge.weight.toFixed(2)})${edge.description ? `: ${edge.description}` : ''}`);
        return {
          text: result.entity ? `Neighbours of ${result.entity.name}:\n${lines.join('\n') || '(none)'}` : `No entity named ${input.entity}.`,
          chunkIds: result.edges.flatMap((edge) => edge.chunkIds),
          entities: result.edges.map((edge) => edge.target),
        };
      }),
      define('entity', 'Look up an entity of the knowledge graph by name: type, description, passages that mention it.', entityToolInput, async (input) => {
        const found = await tools.entity(tenantId, input, context.signal);
        const passages = await tools.getChunks(tenantId, found.flatMap((entity) => entity.chunkIds.slice(0, 2)), context.signal);
        const header = found.map((entity) => `${entity.name} (${entity.type}, ${entity.mentionCount} mentions)${entity.description ? `: ${entity.description}` : ''}`).join('\n');
        return { text: `${header || 'No such entity.'}\n\n${register(passages)}`, chunkIds: passages.map((passage) => passage.chunkId), entities: found.map((entity) => entity.name) };
      }),
      define('get_chunk', 'Fetch one passage by its chunk id.', getChunkToolInput, async (input) => {
        const passage = await tools.getChunk(tenantId, input, context.signal);
        return { text: register([passage]), chunkIds: [passage.chunkId] };
      }),
      define('get_document', 'Read a whole document (bounded) by its id.', getDocumentToolInput, async (input) => {
        const document = await tools.getDocument(tenantId, input, context.signal);
        return {
          text: `<document title="${document.title.replace(/"/g, '&quot;')}">\n${document.text.replace(/</g, '&lt;')}\n</document>${document.truncated ? ' (truncated)' : ''}`,
          chunkIds: [],
        };
      }),
    ];
  }
}
