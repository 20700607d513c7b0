import { END, START, StateGraph, type BaseCheckpointSaver, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type { Citation } from '../../core/agent.js';
import { normalizeEntityName } from '../../ingest/extraction/normalize-entity-name.js';
import { termsOfText } from '../answer/cached-terms.js';
import { stripCitations, supports } from '../answer/check-support.js';
import { analyzeQuestion } from '../question/analyze-question.js';
import { rewriteWithHistory } from '../question/rewrite-with-history.js';
import type { RunContext } from '../run/run-trace.js';
import { hitToPassage, type AgentTools, type Passage } from '../tools/agent-tools.js';
import { AgentState, type AgentStateValue, type AgentStateUpdate, type DraftAnswer } from './agent-state.js';
import type { AnswerModel } from './answer-model.js';

/** Everything a run needs that is not graph state, looked up by the run id in the config. */
export interface RunEnvironment {
  readonly context: RunContext;
  readonly answerModel: AnswerModel;
}

export interface AgentGraphDependencies {
  readonly tools: AgentTools;
  readonly checkpointer?: BaseCheckpointSaver;
  /** The run's environment, by run id (the config carries only the id: it must stay serialisable). */
  readonly environmentOf: (runId: string) => RunEnvironment;
}

/** Passages per search of the question; sub-questions (the options of a choice) get fewer. */
const questionPassages = 8;
const subQuestionPassages = 3;
/** Bridge passages followed per hop, and passages whose entities are followed. */
const bridgeLimit = 6;
const bridgeSources = 3;
const maxHops = 2;
/** Evidence that covers this share of the question's weight needs no further hop. */
const sufficientCoverage = 0.75;

function environment(config: LangGraphRunnableConfig, dependencies: AgentGraphDependencies): RunEnvironment {
  const runId = config.configurable?.run_id;
  if (typeof runId !== 'string') throw new Error('run_id missing from the graph config');
  return dependencies.environmentOf(runId);
}

function mergePassages(existing: readonly Passage[], added: readonly Passage[]): Passage[] {
  const seen = new Set(existing.map((passage) => passage.chunkId));
  const merged = [...existing];
  for (const passage of added) {
    if (seen.has(passage.chunkId)) continue;
    seen.add(passage.chunkId);
    merged.push(passage);
  }
  return merged;
}

/** Share of the question's distinct terms that the best single passage (with its title) contains. */
function bestPassageCoverage(terms: readonly string[], passages: readonly Passage[]): number {
  if (terms.length === 0) return 0;
  let best = 0;
  for (const passage of passages) {
    const present = new Set([...termsOfText(passage.documentTitle), ...termsOfText(passage.text)]);
    const covered = terms.filter((term) => present.has(term)).length / terms.length;
    best = Math.max(best, covered);
  }
  return best;
}

/**
 * The agent as a LangGraph state graph:
 *
 *   understand → retrieve → grade ─┬─→ answer → verify → END
 *                              ↑    │
 *                              └ expand (follow bridge entities through the graph; bounded hops)
 *
 * `understand` rewrites a follow-up with the thread's memory, types the question and picks the
 * search mode for `auto`; `retrieve` searches the question and its sub-questions; `grade` decides
 * whether the evidence suffices or a hop through the knowledge graph is needed (multi-hop
 * questions, weak coverage), within the step and time budgets; `answer` hands the evidence to the
 * answer model (offline extractive, or a chat model with tools); `verify` checks that every cited
 * passage supports the sentence that cites it.
 */
export function buildAgentGraph(dependencies: AgentGraphDependencies) {
  const { tools } = dependencies;

  const understand = async (state: AgentStateValue, config: LangGraphRunnableConfig): Promise<AgentStateUpdate> => {
    const { context } = environment(config, dependencies);
    return context.step('understand', async () => {
      const rewritten = rewriteWithHistory(state.question, state.turns);
      const analysis = analyzeQuestion(rewritten);
      const mode = state.requestedMode === 'auto' ? analysis.mode : state.requestedMode;
      const parts = [
        `${analysis.language === 'zh' ? 'Chinese' : 'English'} ${analysis.answerType} question`,
        `mode ${mode}${state.requestedMode === 'auto' ? ' (chosen)' : ''}`,
        analysis.multiHop ? `multi-hop: ${analysis.subQuestions.join(' | ')}` : 'single hop',
      ];
      if (rewritten !== state.question) parts.unshift(`rewritten as "${rewritten}"`);
      return { result: { rewritten, analysis, mode, passages: [], expandedFrom: [], hops: 0, coverage: 0, draft: null }, summary: parts.join('; ') };
    });
  };

  const retrieve = async (state: AgentStateValue, config: LangGraphRunnableConfig): Promise<AgentStateUpdate> => {
    const { context } = environment(config, dependencies);
    return context.step('retrieve', async () => {
      const analysis = state.analysis!;
      const queries = [
        { query: state.rewritten, k: questionPassages },
        ...analysis.subQuestions.filter((query) => query !== state.rewritten).map((query) => ({ query, k: subQuestionPassages })),
      ];
      let passages = state.passages;
      for (const { query, k } of queries) {
        const response = await context.tool(
          'search',
          { query, mode: state.mode, k, filters: state.filters },
          () => tools.search(context.tenantId, { query, mode: state.mode, k, filters: state.filters }, context.signal),
          (found) => ({ result: { hits: found.hits, communities: found.communities, mode: found.mode }, chunkIds: found.hits.map((hit) => hit.chunkId) }),
        );
        passages = mergePassages(passages, response.hits.map(hitToPassage));
      }
      return { result: { passages, hops: 1 }, summary: `${passages.length} passages from ${queries.length} search${queries.length > 1 ? 'es' : ''}` };
    });
  };

  const grade = async (state: AgentStateValue, config: LangGraphRunnableConfig): Promise<AgentStateUpdate> => {
    const { context } = environment(config, dependencies);
    return context.step('grade', async () => {
      const coverage = bestPassageCoverage(state.analysis!.terms, state.passages);
      return {
        result: { coverage },
        summary: `best passage covers ${(coverage * 100).toFixed(0)}% of the question's terms`,
      };
    });
  };

  const afterGrade = (state: AgentStateValue, config: LangGraphRunnableConfig): 'expand' | 'answer' => {
    const { context } = environment(config, dependencies);
    const wantsHop = state.analysis!.multiHop || state.coverage < sufficientCoverage;
    const sources = state.passages.slice(0, bridgeSources).filter((passage) => !state.expandedFrom.includes(passage.chunkId));
    // Two more steps (expand, grade) plus answer and verify must still fit the budget.
    const fits = context.stepCount + 4 <= context.budget.maxSteps && context.remainingMs > 0;
    return wantsHop && state.hops < maxHops && sources.length > 0 && fits ? 'expand' : 'answer';
  };

  const expand = async (state: AgentStateValue, config: LangGraphRunnableConfig): Promise<AgentStateUpdate> => {
    const { context } = environment(config, dependencies);
    return context.step('expand', async () => {
      const sources = state.passages.slice(0, bridgeSources).filter((passage) => !state.expandedFrom.includes(passage.chunkId));
      const chunkIds = sources.map((passage) => passage.chunkId);
      const questionText = normalizeEntityName(state.rewritten);
      const bridges = await context.tool(
        'bridge_entities',
        { chunkIds, limit: bridgeLimit },
        () => tools.bridgePassages(context.tenantId, chunkIds, questionText, bridgeLimit, context.signal),
        (found) => ({
          result: found.map((bridge) => ({ entity: bridge.entity, fromChunkId: bridge.fromChunkId, passage: bridge.passage })),
          chunkIds: found.map((bridge) => bridge.passage.chunkId),
          entities: found.map((bridge) => bridge.entity),
          edges: found.map((bridge) => ({ source: `chunk:${bridge.fromChunkId}`, target: bridge.entity })),
        }),
      );
      const passages = mergePassages(state.passages, bridges.map((bridge) => bridge.passage));
      return {
        result: { passages, hops: state.hops + 1, expandedFrom: [...state.expandedFrom, ...chunkIds] },
        summary:
          bridges.length === 0
            ? 'no bridge entities to follow'
            : `followed ${bridges.map((bridge) => bridge.entity).join(', ')} to ${passages.length - state.passages.length} new passages`,
      };
    });
  };

  const answer = async (state: AgentStateValue, config: LangGraphRunnableConfig): Promise<AgentStateUpdate> => {
    const { context, answerModel } = environment(config, dependencies);
    return context.step('answer', async () => {
      const termWeights = await tools.termWeights(context.tenantId, state.analysis!.terms, context.signal);
      const output = await answerModel.answer({
        question: state.analysis!,
        rewritten: state.rewritten,
        passages: state.passages,
        history: state.turns,
        termWeights,
        context,
      });
      const draft = output.draft;
      return {
        result: { draft, passages: mergePassages(state.passages, output.passages) },
        summary: draft.notFound
          ? 'the documents do not answer the question'
          : `answered with ${draft.citations.length} citation${draft.citations.length === 1 ? '' : 's'}${draft.degraded ? ' (degraded to the offline model)' : ''}`,
        model: draft.model,
        ...(output.usage ? { usage: output.usage } : {}),
      };
    });
  };

  const verify = async (state: AgentStateValue, config: LangGraphRunnableConfig): Promise<AgentStateUpdate> => {
    const { context } = environment(config, dependencies);
    return context.step('verify', async () => {
      const draft = state.draft!;
      const citations = verifyCitations(draft);
      const supported = citations.filter((citation) => citation.supported).length;
      const verified: DraftAnswer = { ...draft, citations };
      return {
        result: {
          draft: verified,
          turns: [
            {
              runId: context.runId,
              question: state.question,
              rewritten: state.rewritten,
              answer: verified.text,
              shortAnswer: verified.shortAnswer,
              notFound: verified.notFound,
            },
          ],
        },
        summary: citations.length === 0 ? 'no citations to check' : `${supported} of ${citations.length} citations support their sentences`,
      };
    });
  };

  return new StateGraph(AgentState)
    .addNode('understand', understand)
    .addNode('retrieve', retrieve)
    .addNode('grade', grade)
    .addNode('expand', expand)
    .addNode('answer', answer)
    .addNode('verify', verify)
    .addEdge(START, 'understand')
    .addEdge('understand', 'retrieve')
    .addEdge('retrieve', 'grade')
    .addConditionalEdges('grade', afterGrade, ['expand', 'answer'])
    .addEdge('expand', 'grade')
    .addEdge('answer', 'verify')
    .addEdge('verify', END)
    .compile(dependencies.checkpointer ? { checkpointer: dependencies.checkpointer } : {});
}

/**
 * Each sentence of the answer that carries `[n]` must be supported by passage n. The offline
 * model's citations were checked when it composed them; a model's are checked here, sentence by
 * sentence, and a citation is supported only if every sentence citing it is.
 */
export function verifyCitations(draft: DraftAnswer): Citation[] {
  if (draft.model === 'offline' || draft.citations.length === 0) return [...draft.citations];
  const byIndex = new Map(draft.citations.map((citation) => [citation.index, citation]));
  const verdicts = new Map<number, boolean>();
  const sentences = draft.text.split(/(?<=[.!?。！？])\s+|\n+/);
  for (const sentence of sentences) {
    const cited = [...sentence.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
    for (const index of cited) {
      const citation = byIndex.get(index);
      if (!citation) continue;
      const holds = supports(stripCitations(sentence), citation.text);
      verdicts.set(index, (verdicts.get(index) ?? true) && holds);
    }
  }
  return draft.citations.map((citation) => ({ ...citation, supported: verdicts.get(citation.index) ?? false }));
}
