import { z } from 'zod';
import { searchFiltersSchema } from '../../core/search.js';

/**
 * An OpenAI chat-completions request as OpenAI SDKs, Open WebUI, LobeChat, Flowise and LlamaIndex
 * send it. Objects are loose: clients send sampling settings (`temperature`, `top_p`, …) that an
 * agent over documents has no use for, and rejecting them would break those clients.
 */
const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const otherPart = z.looseObject({ type: z.string() });

const messageContent = z.union([z.string(), z.array(z.union([textPart, otherPart])).max(100), z.null()]);

export const chatMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: messageContent.optional(),
  name: z.string().max(200).optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1).max(200),
  messages: z.array(chatMessageSchema).min(1).max(500),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  /** Only one choice: an agent run yields one answer. */
  n: z.literal(1).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  user: z.string().max(500).nullish(),
  /** Rhizome extensions: continue a thread, restrict retrieval. */
  thread_id: z.uuid().nullish(),
  filters: searchFiltersSchema.nullish(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/** The text of a message: string content, or the text parts of multi-part content. */
export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text.length > 0)
    .join('\n');
}
