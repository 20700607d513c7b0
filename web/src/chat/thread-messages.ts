import type { Citation } from '../api/types.js';

/** A message of a stored thread, as the chat shows it. */
export interface ThreadMessage {
  readonly id: string;
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly citations: readonly Citation[];
}

/**
 * Reads the messages of `GET /v1/threads/:id`. Tolerates the field names the agent's thread
 * store may use (`content`/`text`, citations at the top or inside `answer`), and drops anything
 * that is not a user or assistant message.
 */
export function threadMessagesFrom(body: unknown): ThreadMessage[] {
  const list = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(list)) return [];
  const messages: ThreadMessage[] = [];
  list.forEach((item, position) => {
    if (typeof item !== 'object' || item === null) return;
    const value = item as Record<string, unknown>;
    const role = value.role;
    if (role !== 'user' && role !== 'assistant') return;
    const answer = (typeof value.answer === 'object' && value.answer !== null ? value.answer : {}) as Record<string, unknown>;
    const text = [value.content, value.text, answer.text].find((candidate) => typeof candidate === 'string') as string | undefined;
    const citations = [value.citations, answer.citations].find(Array.isArray) as Citation[] | undefined;
    messages.push({
      id: typeof value.id === 'string' || typeof value.id === 'number' ? String(value.id) : `m${position}`,
      role,
      text: text ?? '',
      citations: citations ?? [],
    });
  });
  return messages;
}
