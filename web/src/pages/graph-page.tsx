import {
  Alert,
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  Loader,
  Paper,
  ScrollArea,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconMessageQuestion, IconPlus, IconSearch } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import Sigma from 'sigma';
import type { EntityDetail, EntitySummary, RelationView } from '../api/types.js';
import { evidenceFromParameters } from '../chat/agent-run.js';
import { citationLink } from '../chat/citation-segments.js';
import { EmptyState } from '../components/empty-state.js';
import { showError } from '../components/error-toast.js';
import { useApi } from '../components/session-context.js';
import { colorFor } from '../graph/graph-colors.js';
import {
  clearHighlight,
  createExplorerGraph,
  markSelected,
  mergeAnswerSubgraph,
  mergeNeighbourhood,
  recolor,
  type ColorBy,
  type EdgeAttributes,
  type NodeAttributes,
} from '../graph/explorer-graph.js';

function EntityPanel({
  entityId,
  onExpand,
  onSelect,
}: {
  entityId: number;
  onExpand: (id: number) => void;
  onSelect: (id: number) => void;
}) {
  const { t } = useTranslation();
  const { call, scope } = useApi();
  const navigate = useNavigate();
  const detail = useQuery({
    queryKey: ['entity', entityId, ...scope],
    queryFn: () => call<EntityDetail>(`/v1/graph/entities/${entityId}`),
  });
  if (detail.isPending) return <Loader size="sm" aria-label={t('common.loading')} />;
  if (!detail.data) return null;
  const { entity, relations, passages } = detail.data;
  return (
    <Stack gap="sm" data-testid="entity-panel">
      <div>
        <Title order={3} size="h4">
          {entity.name}
        </Title>
        <Group gap={6} mt={4}>
          <Badge variant="light" color={colorFor(entity.type)} style={{ textTransform: 'none' }}>
            {entity.type}
          </Badge>
          {entity.communityId !== null && (
            <Badge variant="outline" color="gray">
              {t('graph.community', { id: entity.communityId })}
            </Badge>
          )}
          <Text size="xs" c="dimmed">
            {t('graph.mentions', { count: entity.mentionCount })}
          </Text>
        </Group>
      </div>
      {entity.description && <Text size="sm">{entity.description}</Text>}
      <Button
        leftSection={<IconMessageQuestion size={16} />}
        variant="light"
        onClick={() =>
          void navigate('/chat', { state: { draft: t('graph.askDraft', { name: entity.name }) } })
        }
      >
        {t('graph.ask')}
      </Button>
      <div>
        <Text size="sm" fw={500} mb={4}>
          {t('graph.relations', { count: relations.length })}
        </Text>
        {relations.length === 0 && (
          <Text size="xs" c="dimmed">
            {t('graph.noRelations')}
          </Text>
        )}
        <Stack gap={4}>
          {relations.slice(0, 20).map((relation) => (
            <Group key={relation.id} gap={4} wrap="nowrap" justify="space-between">
              <UnstyledButton onClick={() => onSelect(relation.other.id)} style={{ minWidth: 0, flex: 1 }}>
                <Text size="xs" truncate="end">
                  <Text span fw={500} size="xs">
                    {relation.other.name}
                  </Text>
                  {relation.description ? ` — ${relation.description}` : ''}
                </Text>
              </UnstyledButton>
              <Button
                size="compact-xs"
                variant="subtle"
                leftSection={<IconPlus size={12} />}
                onClick={() => onExpand(relation.other.id)}
                style={{ flex: 'none' }}
                aria-label={t('graph.expandNamed', { name: relation.other.name })}
                data-testid="expand-relation"
              >
                {t('graph.expand')}
              </Button>
            </Group>
          ))}
        </Stack>
      </div>
      <div>
        <Text size="sm" fw={500} mb={4}>
          {t('graph.passages', { count: passages.length })}
        </Text>
        <Stack gap={6}>
          {passages.slice(0, 8).map((passage) => (
            <Paper key={passage.chunkId} withBorder p={6}>
              <Anchor component={Link} to={citationLink(passage)} size="xs" fw={500}>
                {passage.documentTitle || passage.fileName}
              </Anchor>
              <Text size="xs" lineClamp={3}>
                {passage.text}
              </Text>
            </Paper>
          ))}
        </Stack>
      </div>
    </Stack>
  );
}

/** Search an entity, see its neighbourhood (sigma.js, WebGL), expand on click, read about it. */
export function GraphPage() {
  const { t } = useTranslation();
  const { call, scope } = useApi();
  const queryClient = useQueryClient();
  const [parameters, setParameters] = useSearchParams();
  const container = useRef<HTMLDivElement | null>(null);
  /** The search string of the last entry point handled (see the entry-point effect). */
  const handledEntry = useRef<string | null>(null);
  const graph = useRef(createExplorerGraph());
  const renderer = useRef<Sigma<NodeAttributes, EdgeAttributes> | null>(null);
  const [webglError, setWebglError] = useState<string | null>(null);
  const [counts, setCounts] = useState({ nodes: 0, edges: 0, expanded: 0 });
  const [selected, setSelected] = useState<number | null>(null);
  const [colorBy, setColorBy] = useState<ColorBy>('type');
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [loading, setLoading] = useState(false);
  /** What "show in graph" highlighted: the answer's entities and relations. */
  const [highlight, setHighlight] = useState<{ nodes: number; edges: number } | null>(null);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const colorByRef = useRef(colorBy);
  colorByRef.current = colorBy;

  const entities = useQuery({
    queryKey: ['entities', ...scope, debounced],
    queryFn: () =>
      call<{ entities: EntitySummary[] }>('/v1/graph/entities', { query: { query: debounced, limit: 15 } }),
  });

  const countGraph = useCallback(
    () =>
      setCounts({
        nodes: graph.current.order,
        edges: graph.current.size,
        expanded: graph.current.filterNodes((_key, attributes) => attributes.expanded).length,
      }),
    [],
  );

  const expand = useCallback(
    async (entityId: number) => {
      setLoading(true);
      try {
        const neighbourhood = await queryClient.fetchQuery({
          queryKey: ['neighbourhood', entityId, ...scope],
          queryFn: () =>
            call<{ nodes: EntitySummary[]; edges: RelationView[] }>(
              `/v1/graph/entities/${entityId}/neighbourhood`,
              { query: { limit: 30 } },
            ),
        });
        mergeNeighbourhood(
          graph.current,
          entityId,
          neighbourhood.nodes,
          neighbourhood.edges,
          colorByRef.current,
        );
        markSelected(graph.current, selectedRef.current);
        countGraph();
        renderer.current?.refresh();
      } catch (error) {
        showError(error);
      } finally {
        setLoading(false);
      }
    },
    [call, queryClient, scope, countGraph],
  );

  const select = useCallback(
    (entityId: number) => {
      setSelected(entityId);
      if (
        !graph.current.hasNode(String(entityId)) ||
        !graph.current.getNodeAttribute(String(entityId), 'expanded')
      ) {
        void expand(entityId);
      }
    },
    [expand],
  );

  const selectRef = useRef(select);
  selectRef.current = select;

  // The WebGL view lives as long as the page; graph changes reach it through refresh().
  useEffect(() => {
    if (!container.current) return;
    try {
      const sigma = new Sigma<NodeAttributes, EdgeAttributes>(graph.current, container.current, {
        settings: {
          renderEdgeLabels: false,
          labelRenderedSizeThreshold: 6,
          allowInvalidContainer: true,
          // Node sizes in pixels: sigma 4 otherwise sizes them in graph units, and a small
          // neighbourhood (three nodes a few units apart) fills the whole view with one disc.
          itemSizesReference: 'screen',
          // The fit encloses labels too, so a label at the edge is not cut off.
          autoRescaleContent: 'labels',
        },
      });
      sigma.on('clickNode', ({ node }) => selectRef.current(Number(node)));
      renderer.current = sigma;
    } catch (error) {
      setWebglError((error as Error).message);
    }
    return () => {
      renderer.current?.kill();
      renderer.current = null;
    };
    // Created once per page: a click always selects through the latest `select` (see selectRef).
  }, []);

  // Entry points: ?entity=<id> (documents, search) or ?chunks=…&names=… (chat's "show in graph":
  // the passages an answer rests on and the entities its tools named).
  useEffect(() => {
    // Each entry point is handled once: the effect re-runs whenever its callbacks change, and a
    // second `setParameters` replace issued after the user has moved on (e.g. "ask about this
    // entity" → /chat) would navigate back to the graph.
    const search = parameters.toString();
    if (search === '' || handledEntry.current === search) return;
    handledEntry.current = search;
    const entity = Number(parameters.get('entity'));
    const evidence = evidenceFromParameters(parameters);
    if (Number.isInteger(entity) && entity > 0) {
      select(entity);
      setParameters({}, { replace: true });
    } else if (evidence) {
      setParameters({}, { replace: true });
      setLoading(true);
      call<{ nodes: EntitySummary[]; edges: RelationView[] }>('/v1/graph/subgraph', {
        method: 'POST',
        body: { chunkIds: evidence.chunkIds, names: evidence.names },
      })
        .then((used) => {
          const highlighted = mergeAnswerSubgraph(graph.current, used.nodes, used.edges, colorByRef.current);
          markSelected(graph.current, selectedRef.current);
          countGraph();
          renderer.current?.refresh();
          setHighlight(highlighted);
          const first = used.nodes[0];
          if (first) setSelected(first.id);
        })
        .catch(showError)
        .finally(() => setLoading(false));
    }
  }, [parameters, setParameters, select, call, countGraph]);

  useEffect(() => {
    recolor(graph.current, colorBy);
    renderer.current?.refresh();
  }, [colorBy]);

  useEffect(() => {
    const sigma = renderer.current;
    if (!sigma) return;
    markSelected(graph.current, selected);
    // The canvas column narrows when the side panel opens.
    const frame = requestAnimationFrame(() => {
      // Not after the page (and its renderer) is gone.
      if (renderer.current !== sigma) return;
      sigma.resize();
      sigma.refresh();
    });
    return () => cancelAnimationFrame(frame);
  }, [selected]);

  const legend = new Map<string, string>();
  graph.current.forEachNode((_key, attributes) => {
    const value =
      colorBy === 'type'
        ? attributes.entityType
        : attributes.communityId === null
          ? '—'
          : String(attributes.communityId);
    legend.set(colorBy === 'type' ? value : t('graph.community', { id: value }), attributes.color);
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('graph.title')}</Title>
        <Group gap="xs">
          <Text
            size="sm"
            c="dimmed"
            data-testid="graph-counts"
            data-nodes={counts.nodes}
            data-edges={counts.edges}
          >
            {t('graph.counts', { nodes: counts.nodes, edges: counts.edges })}
          </Text>
          {loading && <Loader size="xs" aria-label={t('common.loading')} />}
          <SegmentedControl
            size="xs"
            aria-label={t('graph.colorBy')}
            value={colorBy}
            onChange={(value) => setColorBy(value as ColorBy)}
            data={[
              { value: 'type', label: t('graph.byType') },
              { value: 'community', label: t('graph.byCommunity') },
            ]}
          />
        </Group>
      </Group>
      {highlight && (
        <Alert
          color="orange"
          variant="light"
          withCloseButton
          closeButtonLabel={t('graph.clearHighlight')}
          onClose={() => {
            clearHighlight(graph.current);
            renderer.current?.refresh();
            setHighlight(null);
          }}
          data-testid="answer-highlight"
          data-nodes={highlight.nodes}
          data-edges={highlight.edges}
        >
          {highlight.nodes === 0
            ? t('graph.highlightNone')
            : t('graph.highlighted', { nodes: highlight.nodes, edges: highlight.edges })}
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 3 }}>
          <Stack gap="xs">
            <TextInput
              leftSection={<IconSearch size={16} />}
              label={t('graph.search')}
              placeholder={t('graph.searchPlaceholder')}
              value={search}
              onChange={(event) => setSearch(event.currentTarget.value)}
            />
            <ScrollArea.Autosize mah={520}>
              <Stack gap={2} data-testid="entity-results">
                {entities.data?.entities.length === 0 && (
                  <Text size="sm" c="dimmed">
                    {debounced ? t('graph.noMatch') : t('graph.emptyGraph')}
                  </Text>
                )}
                {entities.data?.entities.map((entity) => (
                  <UnstyledButton
                    key={entity.id}
                    onClick={() => select(entity.id)}
                    p={4}
                    style={{ borderRadius: 4 }}
                    aria-pressed={selected === entity.id}
                    data-testid="entity-result"
                  >
                    <Group gap={6} wrap="nowrap">
                      <span
                        style={{
                          width: 10,
                          height: 10,
                          borderRadius: 5,
                          background: colorFor(entity.type),
                          flex: 'none',
                        }}
                      />
                      <Text size="sm" truncate="end">
                        {entity.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {entity.mentionCount}
                      </Text>
                    </Group>
                  </UnstyledButton>
                ))}
              </Stack>
            </ScrollArea.Autosize>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: selected === null ? 9 : 5 }}>
          {webglError && (
            <Alert color="yellow" title={t('graph.noWebgl')} mb="xs">
              {webglError}
            </Alert>
          )}
          <div style={{ height: 'min(70vh, 640px)', position: 'relative' }}>
            <div
              ref={container}
              className="graph-canvas"
              data-testid="graph-canvas"
              data-expanded={counts.expanded}
              role="img"
              aria-label={t('graph.canvasLabel', { nodes: counts.nodes, edges: counts.edges })}
            />
            {counts.nodes === 0 && (
              <div
                style={{
                  position: 'absolute',
                  inset: 0,
                  display: 'grid',
                  placeItems: 'center',
                  pointerEvents: 'none',
                }}
              >
                <EmptyState title={t('graph.startTitle')} hint={t('graph.startHint')} />
              </div>
            )}
          </div>
          {legend.size > 0 && (
            <Group gap="xs" mt="xs">
              {[...legend.entries()].slice(0, 14).map(([name, color]) => (
                <Group key={name} gap={4}>
                  <span style={{ width: 10, height: 10, borderRadius: 5, background: color }} />
                  <Text size="xs">{name}</Text>
                </Group>
              ))}
            </Group>
          )}
        </Grid.Col>
        {selected !== null && (
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Paper withBorder p="sm">
              <EntityPanel entityId={selected} onExpand={(id) => void expand(id)} onSelect={select} />
            </Paper>
          </Grid.Col>
        )}
      </Grid>
    </Stack>
  );
}
