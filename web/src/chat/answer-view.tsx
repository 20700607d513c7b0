import {
  Anchor,
  Badge,
  Button,
  Collapse,
  Group,
  HoverCard,
  Paper,
  Stack,
  Text,
  Timeline,
  UnstyledButton,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChevronDown, IconChevronRight, IconGraph, IconTool } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { Citation } from '../api/types.js';
import { evidenceLink, hitsOf, type AnswerEvidence, type StepView } from './agent-run.js';
import { citationLink, segmentAnswer } from './citation-segments.js';

function CitationMarker({ citation }: { citation: Citation }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <HoverCard width={360} shadow="md" openDelay={200} withinPortal>
      <HoverCard.Target>
        <UnstyledButton
          component="a"
          href={citationLink(citation)}
          onClick={(event: React.MouseEvent) => {
            event.preventDefault();
            void navigate(citationLink(citation), { state: { quote: citation.quote } });
          }}
          aria-label={t('chat.openCitation', {
            index: citation.index,
            title: citation.documentTitle || citation.fileName,
          })}
          data-testid="citation"
          style={{
            verticalAlign: 'super',
            fontSize: '0.75em',
            fontWeight: 600,
            color: 'var(--mantine-color-teal-filled)',
            padding: '0 1px',
          }}
        >
          [{citation.index}]
        </UnstyledButton>
      </HoverCard.Target>
      <HoverCard.Dropdown>
        <Text size="xs" fw={600}>
          {citation.documentTitle || citation.fileName}
          {citation.pages.length > 0 ? ` · ${t('document.page', { pages: citation.pages.join(', ') })}` : ''}
        </Text>
        <Text size="xs" lineClamp={6}>
          {citation.quote ?? citation.text}
        </Text>
      </HoverCard.Dropdown>
    </HoverCard>
  );
}

/** The answer text with inline citation markers that open the cited passage. */
export function AnswerText({ text, citations }: { text: string; citations: readonly Citation[] }) {
  return (
    <div className="answer-text" data-testid="answer-text">
      {segmentAnswer(text, citations).map((segment, position) =>
        segment.kind === 'text' ? (
          <span key={position}>{segment.text}</span>
        ) : (
          <CitationMarker key={position} citation={segment.citation} />
        ),
      )}
    </div>
  );
}

export function CitationList({ citations }: { citations: readonly Citation[] }) {
  const { t } = useTranslation();
  if (citations.length === 0) return null;
  return (
    <Stack gap={4} mt="xs">
      <Text size="xs" c="dimmed" fw={500}>
        {t('chat.sources')}
      </Text>
      {citations.map((citation) => (
        <Group key={citation.index} gap={6} wrap="nowrap" align="flex-start">
          <Badge
            size="xs"
            variant="light"
            color={citation.supported ? 'teal' : 'orange'}
            title={citation.supported ? t('chat.supported') : t('chat.unsupported')}
          >
            {citation.index}
          </Badge>
          <Anchor
            component={Link}
            to={citationLink(citation)}
            state={{ quote: citation.quote }}
            size="xs"
            lineClamp={2}
          >
            {citation.documentTitle || citation.fileName}
            {citation.sectionPath.length > 0 ? ` — ${citation.sectionPath.join(' › ')}` : ''}
          </Anchor>
        </Group>
      ))}
    </Stack>
  );
}

function ToolCallDetail({ call }: { call: StepView['toolCalls'][number] }) {
  const { t } = useTranslation();
  const hits = hitsOf(call.result);
  return (
    <Paper withBorder p={6} mt={4}>
      <Group gap={4}>
        <IconTool size={14} />
        <Text size="xs" fw={500}>
          {call.tool}
        </Text>
        <Text size="xs" c="dimmed" style={{ wordBreak: 'break-word' }}>
          {JSON.stringify(call.arguments)}
        </Text>
        {call.tookMs !== undefined && (
          <Text size="xs" c="dimmed">
            · {Math.round(call.tookMs)} ms
          </Text>
        )}
      </Group>
      {hits.length === 0 && Array.isArray((call.result as { chunkIds?: unknown } | undefined)?.chunkIds) && (
        <Text size="xs" c="dimmed">
          {t('chat.tracePassages', { count: (call.result as { chunkIds: unknown[] }).chunkIds.length })}
          {Array.isArray((call.result as { entities?: unknown }).entities)
            ? ` · ${t('search.entities')}: ${(call.result as { entities: string[] }).entities.join(', ')}`
            : ''}
        </Text>
      )}
      {hits.slice(0, 8).map((hit, index) => (
        <Text key={`${hit.chunkId ?? index}`} size="xs" mt={2} lineClamp={2}>
          <Text span fw={500} size="xs">
            {index + 1}. {hit.documentTitle || hit.fileName}
          </Text>{' '}
          <Text span c="dimmed" size="xs">
            {[
              hit.explanation?.lists
                ?.map((list) => `${t(`search.list.${list.list}`, { defaultValue: list.list })} #${list.rank}`)
                .join(', '),
              hit.explanation?.matchedTerms?.length
                ? `${t('search.matchedTerms')}: ${hit.explanation.matchedTerms.join(', ')}`
                : null,
              hit.explanation?.entities?.length
                ? `${t('search.entities')}: ${hit.explanation.entities.join(', ')}`
                : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </Text>
        </Text>
      ))}
    </Paper>
  );
}

/** What the agent did, step by step: nodes, their decisions, tool calls and the passages found. */
export function StepTimeline({
  steps,
  defaultOpen = false,
}: {
  steps: readonly StepView[];
  defaultOpen?: boolean;
}) {
  const { t } = useTranslation();
  const [opened, { toggle }] = useDisclosure(defaultOpen);
  if (steps.length === 0) return null;
  return (
    <div>
      <Button
        variant="subtle"
        size="compact-xs"
        onClick={toggle}
        leftSection={opened ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
        aria-expanded={opened}
        data-testid="steps-toggle"
      >
        {t('chat.steps', { count: steps.length })}
      </Button>
      <Collapse expanded={opened}>
        <Timeline bulletSize={14} lineWidth={2} mt="xs" active={steps.filter((step) => step.done).length - 1}>
          {steps.map((step, index) => (
            <Timeline.Item
              key={`${step.node}-${step.step}-${index}`}
              title={
                <Text size="sm" fw={500}>
                  {t(`chat.node.${step.node}`, { defaultValue: step.node })}
                  {step.tookMs !== undefined && (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      · {Math.round(step.tookMs)} ms
                    </Text>
                  )}
                </Text>
              }
            >
              {step.summary && <Text size="xs">{step.summary}</Text>}
              {step.toolCalls.map((call) => (
                <ToolCallDetail key={call.callId} call={call} />
              ))}
            </Timeline.Item>
          ))}
        </Timeline>
      </Collapse>
    </div>
  );
}

/** Opens the graph explorer with the entities and relations the answer used highlighted. */
export function ShowInGraph({ evidence }: { evidence: AnswerEvidence }) {
  const { t } = useTranslation();
  const link = evidenceLink(evidence);
  if (!link) return null;
  return (
    <Button
      component={Link}
      to={link}
      variant="light"
      size="compact-xs"
      leftSection={<IconGraph size={14} />}
      data-testid="show-in-graph"
    >
      {t('chat.showInGraph')}
    </Button>
  );
}
