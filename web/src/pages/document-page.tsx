import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Grid,
  Group,
  Loader,
  Paper,
  ScrollArea,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams, useSearchParams } from 'react-router';
import { apiErrorFrom } from '../api/api-error.js';
import { apiUrl, authorizationHeaders } from '../api/client.js';
import type { ChunkView, DocumentRecord, EntitySummary } from '../api/types.js';
import { highlightRange } from '../chat/citation-segments.js';
import { EmptyState } from '../components/empty-state.js';
import { showError } from '../components/error-toast.js';
import { formatBytes, formatDate } from '../components/format.js';
import { useApi } from '../components/session-context.js';
import { StatusBadge } from '../documents/status-badge.js';

function HighlightedPassage({ text, quote }: { text: string; quote: string | undefined }) {
  const { start, end } = highlightRange(text, quote);
  return (
    <Text className="passage-text" component="div">
      {text.slice(0, start)}
      <mark className="quote" data-testid="highlighted-passage">
        {text.slice(start, end)}
      </mark>
      {text.slice(end)}
    </Text>
  );
}

/** One document: its record, its chunks with page and section, the entities found in it. */
export function DocumentPage() {
  const { t, i18n } = useTranslation();
  const { documentId = '' } = useParams();
  const [parameters] = useSearchParams();
  const location = useLocation();
  const focusChunk = Number(parameters.get('chunk') ?? Number.NaN);
  const quote = (location.state as { quote?: string } | null)?.quote;
  const { call, scope, session } = useApi();
  const document = useQuery({
    queryKey: ['document', documentId, ...scope],
    queryFn: () => call<DocumentRecord>(`/v1/documents/${documentId}`),
  });
  const chunks = useQuery({
    queryKey: ['chunks', documentId, ...scope],
    queryFn: () =>
      call<{ chunks: ChunkView[]; total: number }>(`/v1/documents/${documentId}/chunks`, {
        query: { limit: 500 },
      }),
  });
  const entities = useQuery({
    queryKey: ['document-entities', documentId, ...scope, document.data?.status],
    queryFn: () =>
      call<{ entities: (EntitySummary & { mentionsInDocument: number })[] }>(
        `/v1/documents/${documentId}/entities`,
      ),
  });
  const focused = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    focused.current?.scrollIntoView({ block: 'center' });
  }, [chunks.data, focusChunk]);

  const download = async () => {
    try {
      const response = await fetch(apiUrl(session, `/v1/documents/${documentId}/original`), {
        headers: authorizationHeaders(session),
      });
      if (!response.ok) throw await apiErrorFrom(response);
      const link = window.document.createElement('a');
      link.href = URL.createObjectURL(await response.blob());
      link.download = document.data?.fileName ?? 'document';
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (error) {
      showError(error);
    }
  };

  if (document.isPending) return <Loader aria-label={t('common.loading')} />;
  if (!document.data) return <EmptyState title={t('document.notFound')} />;
  const record = document.data;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/documents">
          {t('nav.documents')}
        </Anchor>
        <Text truncate="end">{record.title || record.fileName}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>{record.title || record.fileName}</Title>
          <Group gap="xs" mt={4}>
            <StatusBadge status={record.status} />
            <Text size="sm" c="dimmed">
              {record.fileName} · {record.format ?? '—'} · {formatBytes(record.byteSize)}
              {record.pageCount ? ` · ${t('document.pages', { count: record.pageCount })}` : ''} ·{' '}
              {t('document.chunkCount', { count: record.chunkCount })} ·{' '}
              {formatDate(record.indexedAt ?? record.createdAt, i18n.language)}
            </Text>
          </Group>
          {record.status === 'failed' && (
            <Text c="red" size="sm" mt={4}>
              {t('documents.failedAt', { stage: record.failedStage ?? '—' })}:{' '}
              {record.errorMessage ?? record.errorCode}
            </Text>
          )}
        </div>
        <Button variant="default" leftSection={<IconDownload size={16} />} onClick={() => void download()}>
          {t('document.download')}
        </Button>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Title order={3} size="h4" mb="xs">
            {t('document.chunks')}
          </Title>
          {chunks.data && chunks.data.chunks.length === 0 && <EmptyState title={t('document.noChunks')} />}
          <Stack gap="xs" data-testid="chunk-list">
            {chunks.data?.chunks.map((chunk) => {
              const isFocus = chunk.id === focusChunk;
              return (
                <Paper
                  key={chunk.id}
                  withBorder
                  p="sm"
                  ref={isFocus ? focused : undefined}
                  className={isFocus ? 'chunk-highlight' : undefined}
                  data-chunk={chunk.id}
                  aria-current={isFocus ? 'true' : undefined}
                >
                  <Group gap="xs" mb={4}>
                    <Badge variant="outline" size="sm">
                      #{chunk.chunkIndex + 1}
                    </Badge>
                    {chunk.pages.length > 0 && (
                      <Badge variant="light" size="sm" color="gray">
                        {t('document.page', { pages: chunk.pages.join(', ') })}
                      </Badge>
                    )}
                    {chunk.sectionPath.length > 0 && (
                      <Text size="xs" c="dimmed">
                        {chunk.sectionPath.join(' › ')}
                      </Text>
                    )}
                  </Group>
                  {isFocus ? (
                    <HighlightedPassage text={chunk.text} quote={quote} />
                  ) : (
                    <Text className="passage-text">{chunk.text}</Text>
                  )}
                </Paper>
              );
            })}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Title order={3} size="h4" mb="xs">
            {t('document.entities')}
          </Title>
          {entities.data && entities.data.entities.length === 0 && (
            <Text c="dimmed" size="sm">
              {t('document.noEntities')}
            </Text>
          )}
          <ScrollArea.Autosize mah={600}>
            <Group gap={6}>
              {entities.data?.entities.map((entity) => (
                <Badge
                  key={entity.id}
                  component={Link}
                  to={`/graph?entity=${entity.id}`}
                  variant="light"
                  style={{ cursor: 'pointer', textTransform: 'none' }}
                  title={`${entity.type} · ${t('document.mentions', { count: entity.mentionsInDocument })}`}
                >
                  {entity.name} ({entity.mentionsInDocument})
                </Badge>
              ))}
            </Group>
          </ScrollArea.Autosize>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
