import { countTokens } from '../../ingest/analysis/count-tokens.js';
import type { AnswerInput, AnswerModel, AnswerOutput } from '../graph/answer-model.js';
import type { Passage } from '../tools/agent-tools.js';
import { composeExtractiveAnswer } from './compose-answer.js';
import { ExtractiveAnswerer } from './extractive-answerer.js';

/** Tokens kept for the answer itself when the evidence is cut to the budget. */
const answerReserve = 256;

/**
 * The default model: extractive, offline, deterministic (see extractive-answerer.ts). It spends
 * tokens like any model — it reads the question and the passages (prompt tokens, as a tokenizer
 * would count them: count-tokens.ts) and writes the answer (completion tokens) — so the run's
 * token budget binds it too: passages are read in retrieval order while they fit, and usage and
 * per-tenant token quotas count what it read.
 */
export class OfflineAnswerModel implements AnswerModel {
  readonly name = 'offline';

  async answer(input: AnswerInput): Promise<AnswerOutput> {
    const { context } = input;
    const questionTokens = countTokens(input.rewritten);
    let available = context.tokensLeft() - questionTokens - answerReserve;
    const read: Passage[] = [];
    let passageTokens = 0;
    for (const passage of input.passages) {
      const tokens = countTokens(passage.text);
      if (tokens > available) break;
      read.push(passage);
      available -= tokens;
      passageTokens += tokens;
    }
    const promptTokens = questionTokens + passageTokens;
    context.promptTokens += promptTokens;

    if (read.length === 0 && input.passages.length > 0) {
      const text =
        input.question.language === 'zh'
          ? `本次请求的令牌预算（${context.budget.maxTokens}）不足以阅读任何段落。`
          : `The token budget of this request (${context.budget.maxTokens} tokens) ends before any passage could be read.`;
      const completionTokens = countTokens(text);
      context.completionTokens += completionTokens;
      return {
        draft: { text, shortAnswer: '', citations: [], notFound: true, model: this.name },
        passages: [],
        usage: { promptTokens, completionTokens },
      };
    }

    const answerer = new ExtractiveAnswerer({ termWeights: input.termWeights });
    const draft = answerer.answer(input.question, read);
    const composed = composeExtractiveAnswer(input.question, draft, read);
    const completionTokens = countTokens(composed.text);
    context.completionTokens += completionTokens;
    return {
      draft: {
        text: composed.text,
        shortAnswer: composed.shortAnswer,
        citations: composed.citations,
        notFound: composed.notFound,
        model: this.name,
      },
      passages: [],
      usage: { promptTokens, completionTokens },
    };
  }
}
