import {
  ActionIcon,
  Alert,
  Button,
  Grid,
  Group,
  Loader,
  Menu,
  Modal,
  NavLink,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChevronRight, IconDots, IconPlayerStopFilled, IconPlus, IconSend } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/api-error.js';
import { agentModeList, type AgentMode, type Thread } from '../api/types.js';
import { answerEvidence } from '../chat/agent-run.js';
import { AnswerText, CitationList, ShowInGraph, StepTimeline } from '../chat/answer-view.js';
import { stepsFromTrace, threadMessagesFrom } from '../chat/thread-messages.js';
import { useChatRun } from '../chat/use-chat-run.js';
import { confirmAction } from '../components/confirm.js';
import { EmptyState } from '../components/empty-state.js';
import { useApi } from '../components/session-context.js';

function ThreadList({ activeId, onNew }: { activeId: string | undefined; onNew: () => void }) {
  const { t } = useTranslation();
  const { call, scope } = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [renaming, setRenaming] = useState<Thread | null>(null);
  const [title, setTitle] = useState('');
  const [opened, { open, close }] = useDisclosure(false);
  const threads = useQuery({
    queryKey: ['threads', ...scope],
    queryFn: () => call<{ threads: Thread[] }>('/v1/threads'),
    retry: false,
    meta: { quiet404: true },
  });
  const rename = useMutation({
    mutationFn: () => call(`/v1/threads/${renaming!.id}`, { method: 'PATCH', body: { title: title.trim() } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['threads'] });
      close();
    },
  });
  const remove = useMutation({
    mutationFn: (thread: Thread) => call(`/v1/threads/${thread.id}`, { method: 'DELETE' }),
    onSuccess: (_result, thread) => {
      void queryClient.invalidateQueries({ queryKey: ['threads'] });
      if (thread.id === activeId) void navigate('/chat');
    },
  });
  return (
    <Stack gap="xs" data-testid="thread-list">
      <Button leftSection={<IconPlus size={16} />} onClick={onNew} variant="light" data-testid="new-thread">
        {t('chat.newThread')}
      </Button>
      <ScrollArea.Autosize mah="60vh">
        {threads.data?.threads.length === 0 && (
          <Text size="sm" c="dimmed" p="xs">
            {t('chat.noThreads')}
          </Text>
        )}
        {threads.data?.threads.map((thread) => (
          <Group key={thread.id} gap={0} wrap="nowrap">
            <NavLink
              component={Link}
              to={`/chat/${thread.id}`}
              label={thread.title || t('chat.untitled')}
              active={thread.id === activeId}
              style={{ flex: 1, minWidth: 0 }}
            />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <ActionIcon
                  variant="subtle"
                  aria-label={t('chat.threadActions', { title: thread.title || t('chat.untitled') })}
                >
                  <IconDots size={16} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item
                  onClick={() => {
                    setRenaming(thread);
                    setTitle(thread.title);
                    open();
                  }}
                >
                  {t('chat.rename')}
                </Menu.Item>
                <Menu.Item
                  color="red"
                  onClick={() => confirmAction(t('chat.confirmDelete'), () => remove.mutate(thread))}
                >
                  {t('common.delete')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        ))}
      </ScrollArea.Autosize>
      <Modal opened={opened} onClose={close} title={t('chat.rename')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            rename.mutate();
          }}
        >
          <Stack>
            <TextInput
              label={t('chat.threadTitle')}
              value={title}
              onChange={(event) => setTitle(event.currentTarget.value)}
              required
              data-autofocus
            />
            <Group justify="flex-end">
              <Button type="submit" loading={rename.isPending} disabled={title.trim().length === 0}>
                {t('common.save')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}

/** The step timeline of a stored run, fetched when first opened. */
function StoredSteps({ threadId, runId }: { threadId: string; runId: string }) {
  const { t } = useTranslation();
  const { call, scope } = useApi();
  const [opened, setOpened] = useState(false);
  const run = useQuery({
    queryKey: ['run', threadId, runId, ...scope],
    queryFn: () => call<unknown>(`/v1/threads/${threadId}/runs/${runId}`),
    enabled: opened,
    staleTime: Infinity,
  });
  if (!opened) {
    return (
      <Button
        variant="subtle"
        size="compact-xs"
        onClick={() => setOpened(true)}
        leftSection={<IconChevronRight size={14} />}
      >
        {t('chat.showSteps')}
      </Button>
    );
  }
  if (run.isPending) return <Loader size="xs" aria-label={t('common.loading')} />;
  return <StepTimeline steps={stepsFromTrace(run.data)} defaultOpen />;
}

function UserBubble({ text }: { text: string }) {
  return (
    <Group justify="flex-end">
      <Paper p="sm" bg="var(--mantine-primary-color-light)" maw="85%" data-testid="user-message">
        <Text className="answer-text">{text}</Text>
      </Paper>
    </Group>
  );
}

/** Chat with the agent: threads, streamed answers with citations, the step timeline. */
export function ChatPage() {
  const { t } = useTranslation();
  const { threadId } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const { call, scope, session } = useApi();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<AgentMode>('auto');
  const [draft, setDraft] = useState(() => (location.state as { draft?: string } | null)?.draft ?? '');
  const currentThread = useRef<string | undefined>(threadId);
  const onThread = useCallback(
    (id: string) => {
      if (currentThread.current !== id) {
        currentThread.current = id;
        void navigate(`/chat/${id}`, { replace: true, state: { keepTurns: true } });
      }
      void queryClient.invalidateQueries({ queryKey: ['threads'] });
    },
    [navigate, queryClient],
  );
  const { turns, running, send, stop, reset } = useChatRun(session, onThread);
  const keepTurns = (location.state as { keepTurns?: boolean } | null)?.keepTurns === true;
  useEffect(() => {
    // Opening another thread (not the one a run just created) starts from its stored messages.
    if (!keepTurns && currentThread.current !== threadId) {
      currentThread.current = threadId;
      reset();
    }
  }, [threadId, keepTurns, reset]);
  const history = useQuery({
    queryKey: ['thread', threadId, ...scope],
    queryFn: () => call<unknown>(`/v1/threads/${threadId}`),
    // The run that created this thread is still on screen; back on it later (the browser's Back
    // restores keepTurns, but not the turns), its stored messages are read again.
    enabled: threadId !== undefined && !(keepTurns && turns.length > 0),
    retry: false,
    meta: { quiet404: true },
  });
  const unavailable =
    history.error instanceof ApiError &&
    history.error.status === 404 &&
    history.error.code === 'route_not_found';
  const stored = threadMessagesFrom(history.data);
  const bottom = useRef<HTMLDivElement | null>(null);
  const lastText = turns[turns.length - 1]?.run.text;
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [turns.length, lastText]);

  const submit = () => {
    const message = draft.trim();
    if (!message || running) return;
    setDraft('');
    void send(message, { threadId: currentThread.current, mode });
  };

  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 3 }}>
        <ThreadList
          activeId={threadId}
          onNew={() => {
            currentThread.current = undefined;
            reset();
            void navigate('/chat');
          }}
        />
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 9 }}>
        <Stack gap="md" mih="60vh">
          <Title order={2}>{t('chat.title')}</Title>
          {unavailable && <Alert color="yellow">{t('chat.unavailable')}</Alert>}
          {history.isLoading && <Loader size="sm" aria-label={t('common.loading')} />}
          {stored.length === 0 && turns.length === 0 && !history.isLoading && (
            <EmptyState title={t('chat.emptyTitle')} hint={t('chat.emptyHint')} />
          )}
          {stored.map((message) =>
            message.role === 'user' ? (
              <UserBubble key={message.id} text={message.text} />
            ) : (
              <Paper key={message.id} withBorder p="sm" data-testid="assistant-message" data-status="stored">
                {message.runId && threadId && <StoredSteps threadId={threadId} runId={message.runId} />}
                <AnswerText text={message.text} citations={message.citations} />
                {message.notFound && (
                  <Text size="xs" c="orange">
                    {t('chat.notFound')}
                  </Text>
                )}
                {message.error && (
                  <Alert color="red" mt="xs" title={t('chat.failed')}>
                    {message.error.message} ({message.error.code})
                  </Alert>
                )}
                <CitationList citations={message.citations} />
                {message.citations.length > 0 && (
                  <Group mt="xs" gap="xs">
                    <ShowInGraph evidence={answerEvidence({ steps: [] }, message.citations)} />
                  </Group>
                )}
              </Paper>
            ),
          )}
          {turns.map((turn) => (
            <Stack key={turn.id} gap="xs">
              <UserBubble text={turn.question} />
              <Paper withBorder p="sm" data-testid="assistant-message" data-status={turn.run.status}>
                <StepTimeline steps={turn.run.steps} />
                {turn.run.text.length === 0 && turn.run.status === 'streaming' && (
                  <Group gap="xs">
                    <Loader size="xs" type="dots" />
                    <Text size="sm" c="dimmed">
                      {t('chat.thinking')}
                    </Text>
                  </Group>
                )}
                <AnswerText text={turn.run.text} citations={turn.run.answer?.citations ?? []} />
                {turn.run.answer?.notFound && (
                  <Text size="xs" c="orange">
                    {t('chat.notFound')}
                  </Text>
                )}
                {turn.run.answer?.degraded && (
                  <Text size="xs" c="orange">
                    {t('chat.degraded', { provider: turn.run.answer.degraded.provider })}
                  </Text>
                )}
                {turn.run.status === 'stopped' && (
                  <Text size="xs" c="dimmed">
                    {t('chat.stopped')}
                  </Text>
                )}
                {turn.run.error && (
                  <Alert color="red" mt="xs" title={t('chat.failed')}>
                    {turn.run.error.message} ({turn.run.error.code})
                  </Alert>
                )}
                <CitationList citations={turn.run.answer?.citations ?? []} />
                {turn.run.status === 'answered' && (
                  <Group mt="xs" gap="xs">
                    <ShowInGraph evidence={answerEvidence(turn.run, turn.run.answer?.citations ?? [])} />
                    {turn.run.answer && (
                      <Text size="xs" c="dimmed">
                        {t('chat.usage', {
                          model: turn.run.answer.model,
                          ms: Math.round(turn.run.answer.tookMs),
                          tokens: turn.run.answer.usage.promptTokens + turn.run.answer.usage.completionTokens,
                        })}
                      </Text>
                    )}
                  </Group>
                )}
              </Paper>
            </Stack>
          ))}
          <div ref={bottom} />
          <Paper withBorder p="sm" style={{ position: 'sticky', bottom: 0 }}>
            <form
              onSubmit={(event) => {
                event.preventDefault();
                submit();
              }}
            >
              <Stack gap="xs">
                <Textarea
                  aria-label={t('chat.message')}
                  placeholder={t('chat.placeholder')}
                  value={draft}
                  onChange={(event) => setDraft(event.currentTarget.value)}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                      event.preventDefault();
                      submit();
                    }
                  }}
                  autosize
                  minRows={2}
                  maxRows={8}
                />
                <Group justify="space-between">
                  <Select
                    aria-label={t('chat.mode')}
                    size="xs"
                    w={200}
                    data={agentModeList.map((value) => ({ value, label: t(`modes.${value}`) }))}
                    value={mode}
                    onChange={(value) => setMode((value as AgentMode | null) ?? 'auto')}
                    allowDeselect={false}
                  />
                  {running ? (
                    <Button
                      color="red"
                      variant="light"
                      leftSection={<IconPlayerStopFilled size={16} />}
                      onClick={stop}
                    >
                      {t('chat.stop')}
                    </Button>
                  ) : (
                    <Button
                      type="submit"
                      leftSection={<IconSend size={16} />}
                      disabled={draft.trim().length === 0}
                    >
                      {t('chat.send')}
                    </Button>
                  )}
                </Group>
              </Stack>
            </form>
          </Paper>
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
