import {
  Anchor,
  Badge,
  Button,
  Chip,
  Group,
  Loader,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useQueries } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { searchModeList, type SearchHit, type SearchMode, type SearchResponse } from '../api/types.js';
import { citationLink } from '../chat/citation-segments.js';
import { EmptyState } from '../components/empty-state.js';
import { useApi } from '../components/session-context.js';

export function HitExplanation({ hit }: { hit: SearchHit }) {
  const { t } = useTranslation();
  const explanation = hit.explanation;
  return (
    <Stack gap={4} data-testid="hit-explanation">
      <Group gap={4}>
        {explanation.lists.map((list) => (
          <Badge
            key={list.list}
            size="xs"
            variant="light"
            title={t('search.listScore', { score: list.score.toFixed(3), weight: list.weight })}
          >
            {t(`search.list.${list.list}`)} #{list.rank}
          </Badge>
        ))}
        <Text size="xs" c="dimmed">
          {t('search.fused', { score: explanation.fusedScore.toFixed(4), fusion: explanation.fusion })}
          {explanation.rerankScore !== undefined
            ? ` · ${t('search.rerank', { score: explanation.rerankScore.toFixed(3) })}`
            : ''}
        </Text>
      </Group>
      {explanation.matchedTerms.length > 0 && (
        <Text size="xs">
          <Text span c="dimmed" size="xs">
            {t('search.matchedTerms')}:{' '}
          </Text>
          {explanation.matchedTerms.join(', ')}
        </Text>
      )}
      {explanation.entities.length > 0 && (
        <Text size="xs">
          <Text span c="dimmed" size="xs">
            {t('search.entities')}:{' '}
          </Text>
          {explanation.entities.join(', ')}
        </Text>
      )}
    </Stack>
  );
}

function HitCard({ hit, rank }: { hit: SearchHit; rank: number }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="sm" data-testid="search-hit">
      <Group gap={6} wrap="nowrap" mb={4}>
        <Badge size="sm" variant="filled" color="gray">
          {rank}
        </Badge>
        <Anchor component={Link} to={citationLink(hit)} size="sm" fw={500} lineClamp={1}>
          {hit.documentTitle || hit.fileName}
        </Anchor>
      </Group>
      <Text size="xs" c="dimmed" mb={4}>
        {[
          hit.pages.length > 0 ? t('document.page', { pages: hit.pages.join(', ') }) : null,
          hit.sectionPath.join(' › ') || null,
        ]
          .filter(Boolean)
          .join(' · ')}
      </Text>
      <Text size="sm" lineClamp={4} mb={6}>
        {hit.text}
      </Text>
      <HitExplanation hit={hit} />
    </Paper>
  );
}

/** One query, several modes side by side, every hit with its explanation. */
export function SearchPage() {
  const { t } = useTranslation();
  const { call, scope } = useApi();
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [modes, setModes] = useState<string[]>(['bm25', 'naive', 'local', 'mix']);
  const [k, setK] = useState<number>(8);
  const results = useQueries({
    queries: modes.map((mode) => ({
      queryKey: ['search', ...scope, query, mode, k],
      queryFn: () => call<SearchResponse>('/v1/search', { method: 'POST', body: { query, mode, k } }),
      enabled: query.length > 0,
      staleTime: 60_000,
    })),
  });
  return (
    <Stack>
      <Title order={2}>{t('search.title')}</Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setQuery(draft.trim());
        }}
      >
        <Group align="flex-end" wrap="wrap">
          <TextInput
            label={t('search.query')}
            placeholder={t('search.placeholder')}
            value={draft}
            onChange={(event) => setDraft(event.currentTarget.value)}
            leftSection={<IconSearch size={16} />}
            style={{ flex: 1, minWidth: 220 }}
          />
          <NumberInput
            label={t('search.k')}
            value={k}
            onChange={(value) => setK(Number(value) || 8)}
            min={1}
            max={50}
            w={90}
          />
          <Button type="submit" disabled={draft.trim().length === 0}>
            {t('search.submit')}
          </Button>
        </Group>
      </form>
      <Chip.Group multiple value={modes} onChange={(value) => setModes(value.length > 0 ? value : modes)}>
        <Group gap="xs" role="group" aria-label={t('search.modes')}>
          {searchModeList.map((mode) => (
            <Chip key={mode} value={mode} size="sm">
              {t(`modes.${mode}`)}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      {query.length === 0 ? (
        <EmptyState title={t('search.emptyTitle')} hint={t('search.emptyHint')} />
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: Math.min(modes.length, 4) }} spacing="md">
          {modes.map((mode, index) => {
            const result = results[index];
            return (
              <Stack key={mode} gap="xs" data-testid={`search-column-${mode}`}>
                <Group justify="space-between">
                  <Title order={3} size="h5">
                    {t(`modes.${mode as SearchMode}`)}
                  </Title>
                  {result?.data && (
                    <Text size="xs" c="dimmed">
                      {t('search.took', {
                        count: result.data.hits.length,
                        ms: Math.round(result.data.tookMs),
                      })}
                    </Text>
                  )}
                </Group>
                {result?.isPending && <Loader size="sm" aria-label={t('common.loading')} />}
                {result?.isError && (
                  <Text c="red" size="sm">
                    {(result.error as Error).message}
                  </Text>
                )}
                {result?.data && result.data.hits.length === 0 && (
                  <Text c="dimmed" size="sm">
                    {t('search.noHits')}
                  </Text>
                )}
                {result?.data?.communities.slice(0, 2).map((community) => (
                  <Paper key={community.id} withBorder p="xs" bg="var(--mantine-color-default-hover)">
                    <Text size="xs" fw={500}>
                      {t('search.community')}: {community.title}
                    </Text>
                    <Text size="xs" lineClamp={3}>
                      {community.summary}
                    </Text>
                  </Paper>
                ))}
                {result?.data?.hits.map((hit, rank) => (
                  <HitCard key={hit.chunkId} hit={hit} rank={rank + 1} />
                ))}
              </Stack>
            );
          })}
        </SimpleGrid>
      )}
    </Stack>
  );
}
