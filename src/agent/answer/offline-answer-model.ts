import type { AnswerInput, AnswerModel, AnswerOutput } from '../graph/answer-model.js';
import { composeExtractiveAnswer } from './compose-answer.js';
import { ExtractiveAnswerer } from './extractive-answerer.js';

/** The default model: extractive, offline, deterministic (see extractive-answerer.ts). */
export class OfflineAnswerModel implements AnswerModel {
  readonly name = 'offline';

  async answer(input: AnswerInput): Promise<AnswerOutput> {
    const answerer = new ExtractiveAnswerer({ termWeights: input.termWeights });
    const draft = answerer.answer(input.question, input.passages);
    const composed = composeExtractiveAnswer(input.question, draft, input.passages);
    return {
      draft: {
        text: composed.text,
        shortAnswer: composed.shortAnswer,
        citations: composed.citations,
        notFound: composed.notFound,
        model: this.name,
      },
      passages: [],
    };
  }
}
