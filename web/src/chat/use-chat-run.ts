import { useCallback, useRef, useState } from 'react';
import { ApiError } from '../api/api-error.js';
import { apiUrl, authorizationHeaders } from '../api/client.js';
import { readEventStream } from '../api/event-stream.js';
import type { Session } from '../api/session.js';
import type { AgentMode } from '../api/types.js';
import { applyAgentEvent, initialRunState, parseAgentEvent, type AgentRunState } from './agent-run.js';

export interface ChatTurn {
  readonly id: number;
  readonly question: string;
  readonly run: AgentRunState;
}

let nextTurnId = 1;

/**
 * Sends a message to `POST /v1/chat` and folds the streamed events into the turn's state. `stop`
 * aborts the request; the server cancels the run when the client goes away.
 */
export function useChatRun(session: Session, onThread: (threadId: string) => void) {
  const [turns, setTurns] = useState<ChatTurn[]>([]);
  const controller = useRef<AbortController | null>(null);
  const [running, setRunning] = useState(false);

  const update = (id: number, change: (run: AgentRunState) => AgentRunState) =>
    setTurns((current) =>
      current.map((turn) => (turn.id === id ? { ...turn, run: change(turn.run) } : turn)),
    );

  const send = useCallback(
    async (message: string, options: { threadId?: string | undefined; mode: AgentMode }) => {
      const id = nextTurnId++;
      const abort = new AbortController();
      controller.current = abort;
      setRunning(true);
      setTurns((current) => [...current, { id, question: message, run: initialRunState }]);
      try {
        const response = await fetch(apiUrl(session, '/v1/chat'), {
          method: 'POST',
          headers: {
            ...authorizationHeaders(session),
            'content-type': 'application/json',
            accept: 'text/event-stream',
          },
          body: JSON.stringify({
            message,
            mode: options.mode,
            ...(options.threadId ? { threadId: options.threadId } : {}),
          }),
          signal: abort.signal,
        });
        let announced = false;
        await readEventStream(response, (sse) => {
          const event = parseAgentEvent(sse.event, sse.data);
          if (!event) return;
          if (event.type === 'run_start' && !announced) {
            announced = true;
            onThread(event.threadId);
          }
          update(id, (run) => applyAgentEvent(run, event));
        });
        update(id, (run) =>
          run.status === 'streaming'
            ? {
                ...run,
                status: 'failed',
                error: { code: 'stream_ended', message: 'The answer stream ended early' },
              }
            : run,
        );
      } catch (error) {
        if (abort.signal.aborted) {
          update(id, (run) => ({ ...run, status: 'stopped' }));
        } else {
          const failure =
            error instanceof ApiError
              ? {
                  code: error.code,
                  message: `${error.message}${error.requestId ? ` (request ${error.requestId})` : ''}`,
                }
              : { code: 'network_error', message: (error as Error).message };
          update(id, (run) => ({ ...run, status: 'failed', error: failure }));
        }
      } finally {
        if (controller.current === abort) controller.current = null;
        setRunning(false);
      }
    },
    [session, onThread],
  );

  const stop = useCallback(() => controller.current?.abort(), []);
  const reset = useCallback(() => {
    controller.current?.abort();
    setTurns([]);
  }, []);
  return { turns, running, send, stop, reset };
}
