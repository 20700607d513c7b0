import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconCheck, IconCopy, IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiKeyRecord, Role, Tenant, Usage } from '../api/types.js';
import { confirmAction } from '../components/confirm.js';
import { EmptyState } from '../components/empty-state.js';
import { formatBytes, formatDate } from '../components/format.js';
import { useApi, useSession } from '../components/session-context.js';

function TenantsPanel() {
  const { t, i18n } = useTranslation();
  const { call, session } = useApi();
  const { setTenant } = useSession();
  const queryClient = useQueryClient();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const tenants = useQuery({
    queryKey: ['tenants', session.key.slice(0, 16)],
    queryFn: () => call<{ tenants: Tenant[] }>('/v1/tenants'),
  });
  const create = useMutation({
    mutationFn: () =>
      call<Tenant>('/v1/tenants', {
        method: 'POST',
        body: { slug: slug.trim(), name: name.trim() || slug.trim() },
      }),
    onSuccess: (tenant) => {
      setSlug('');
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['tenants'] });
      if (!session.tenant) setTenant(tenant.id);
    },
  });
  const remove = useMutation({
    // The API asks for the slug as confirmation (deleting a tenant cannot be undone); the page has
    // already asked the person.
    mutationFn: (tenant: Tenant) =>
      call(`/v1/tenants/${tenant.id}?confirm=${encodeURIComponent(tenant.slug)}`, { method: 'DELETE' }),
    onSuccess: (_result, tenant) => {
      void queryClient.invalidateQueries({ queryKey: ['tenants'] });
      if (session.tenant === tenant.id) setTenant(null);
    },
  });
  return (
    <Stack>
      <Paper withBorder p="sm">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <Group align="flex-end" wrap="wrap">
            <TextInput
              label={t('admin.tenantSlug')}
              description={t('admin.tenantSlugHint')}
              value={slug}
              onChange={(event) => setSlug(event.currentTarget.value)}
              required
            />
            <TextInput
              label={t('admin.tenantName')}
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
            />
            <Button
              type="submit"
              leftSection={<IconPlus size={16} />}
              loading={create.isPending}
              disabled={slug.trim().length === 0}
            >
              {t('admin.createTenant')}
            </Button>
          </Group>
        </form>
      </Paper>
      {tenants.data?.tenants.length === 0 ? (
        <EmptyState title={t('admin.noTenants')} hint={t('admin.noTenantsHint')} />
      ) : (
        <Table.ScrollContainer minWidth={520}>
          <Table data-testid="tenants-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('admin.tenantName')}</Table.Th>
                <Table.Th>{t('admin.tenantSlug')}</Table.Th>
                <Table.Th>{t('admin.created')}</Table.Th>
                <Table.Th>
                  <span className="sr-only">{t('documents.column.actions')}</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tenants.data?.tenants.map((tenant) => (
                <Table.Tr key={tenant.id}>
                  <Table.Td>
                    {tenant.name}{' '}
                    {session.tenant === tenant.id && <Badge size="xs">{t('admin.current')}</Badge>}
                  </Table.Td>
                  <Table.Td>
                    <Code>{tenant.slug}</Code>
                  </Table.Td>
                  <Table.Td>{formatDate(tenant.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => setTenant(tenant.id)}
                        disabled={session.tenant === tenant.id}
                      >
                        {t('admin.switchTo')}
                      </Button>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`${t('common.delete')}: ${tenant.slug}`}
                        onClick={() =>
                          confirmAction(t('admin.confirmDeleteTenant', { name: tenant.slug }), () =>
                            remove.mutate(tenant),
                          )
                        }
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function KeysPanel() {
  const { t, i18n } = useTranslation();
  const { call, session } = useApi();
  const queryClient = useQueryClient();
  const isAdmin = session.role === 'admin';
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('reader');
  const [created, setCreated] = useState<string | null>(null);
  const [opened, { open, close }] = useDisclosure(false);
  const tenantId = isAdmin ? session.tenant : session.keyTenantId;
  const keys = useQuery({
    queryKey: ['keys', session.key.slice(0, 16), tenantId],
    queryFn: () =>
      call<{ keys: ApiKeyRecord[] }>('/v1/keys', { query: { tenantId: isAdmin ? tenantId : undefined } }),
  });
  const create = useMutation({
    mutationFn: () =>
      call<{ key: string }>('/v1/keys', {
        method: 'POST',
        body: { name: name.trim(), role, tenantId: role === 'admin' ? null : tenantId },
      }),
    onSuccess: (result) => {
      setCreated(result.key);
      setName('');
      open();
      void queryClient.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (key: ApiKeyRecord) => call(`/v1/keys/${key.id}`, { method: 'DELETE' }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['keys'] }),
  });
  const roles: Role[] = isAdmin ? ['reader', 'editor', 'owner', 'admin'] : ['reader', 'editor', 'owner'];
  return (
    <Stack>
      <Paper withBorder p="sm">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <Group align="flex-end" wrap="wrap">
            <TextInput
              label={t('admin.keyName')}
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              required
            />
            <Select
              label={t('admin.role')}
              data={roles.map((value) => ({ value, label: t(`roles.${value}`) }))}
              value={role}
              onChange={(value) => setRole((value as Role | null) ?? 'reader')}
              allowDeselect={false}
              w={150}
            />
            <Button
              type="submit"
              leftSection={<IconKey size={16} />}
              loading={create.isPending}
              disabled={name.trim().length === 0 || (role !== 'admin' && !tenantId)}
            >
              {t('admin.createKey')}
            </Button>
          </Group>
        </form>
      </Paper>
      <Modal opened={opened} onClose={close} title={t('admin.newKeyTitle')} size="lg">
        <Stack>
          <Alert color="yellow">{t('admin.newKeyOnce')}</Alert>
          <Group wrap="nowrap" gap="xs">
            <Code block style={{ flex: 1, wordBreak: 'break-all' }} data-testid="new-key">
              {created}
            </Code>
            <CopyButton value={created ?? ''}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? t('common.copied') : t('common.copy')}>
                  <ActionIcon variant="light" onClick={copy} aria-label={t('common.copy')}>
                    {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  </ActionIcon>
                </Tooltip>
              )}
            </CopyButton>
          </Group>
        </Stack>
      </Modal>
      {keys.data?.keys.length === 0 && <EmptyState title={t('admin.noKeys')} hint={t('admin.noKeysHint')} />}
      {keys.data?.keys.length !== 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table data-testid="keys-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('admin.keyName')}</Table.Th>
                <Table.Th>{t('admin.keyId')}</Table.Th>
                <Table.Th>{t('admin.role')}</Table.Th>
                <Table.Th>{t('admin.created')}</Table.Th>
                <Table.Th>
                  <span className="sr-only">{t('documents.column.actions')}</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.data?.keys.map((key) => (
                <Table.Tr key={key.id} opacity={key.revokedAt ? 0.5 : 1}>
                  <Table.Td>{key.name}</Table.Td>
                  <Table.Td>
                    <Code>{key.id}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light">{t(`roles.${key.role}`)}</Badge>
                  </Table.Td>
                  <Table.Td>{formatDate(key.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    {key.revokedAt ? (
                      <Badge color="gray">{t('admin.revoked')}</Badge>
                    ) : (
                      <Button
                        size="compact-xs"
                        color="red"
                        variant="subtle"
                        disabled={key.id === session.key.split('_')[1]}
                        onClick={() =>
                          confirmAction(t('admin.confirmRevoke', { name: key.name }), () =>
                            revoke.mutate(key),
                          )
                        }
                      >
                        {t('admin.revoke')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

interface ModelSettings {
  embedding: { provider: string; model: string; dimensions: number; host: string | null };
  chat: { provider: string; model?: string; host?: string | null };
  rerank: { provider: string; model?: string; host?: string | null };
  extraction: string;
}
interface ProviderCheck {
  ok: boolean;
  tookMs: number;
  error?: string;
}

function ModelsPanel() {
  const { t } = useTranslation();
  const { call } = useApi();
  const settings = useQuery({ queryKey: ['models'], queryFn: () => call<ModelSettings>('/v1/admin/models') });
  const check = useMutation({
    mutationFn: () =>
      call<{ embedding: ProviderCheck | null; chat: ProviderCheck | null }>('/v1/admin/models/check', {
        method: 'POST',
      }),
  });
  const health = (result: ProviderCheck | null | undefined) =>
    result === undefined ? null : result === null ? (
      <Badge color="gray">{t('admin.notConfigured')}</Badge>
    ) : result.ok ? (
      <Badge color="teal">{t('admin.healthy', { ms: result.tookMs })}</Badge>
    ) : (
      <Tooltip label={result.error}>
        <Badge color="red">{t('admin.unhealthy')}</Badge>
      </Tooltip>
    );
  const rows = settings.data
    ? ([
        ['embedding', settings.data.embedding, health(check.data?.embedding)],
        ['chat', settings.data.chat, health(check.data?.chat)],
        ['rerank', settings.data.rerank, null],
      ] as const)
    : [];
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('admin.modelsHint')}
      </Text>
      <Table.ScrollContainer minWidth={560}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('admin.modelKind')}</Table.Th>
              <Table.Th>{t('admin.provider')}</Table.Th>
              <Table.Th>{t('admin.model')}</Table.Th>
              <Table.Th>{t('admin.host')}</Table.Th>
              <Table.Th>{t('admin.health')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map(([kind, value, status]) => (
              <Table.Tr key={kind}>
                <Table.Td>{t(`admin.kind.${kind}`)}</Table.Td>
                <Table.Td>{value.provider}</Table.Td>
                <Table.Td>{'model' in value && value.model ? value.model : '—'}</Table.Td>
                <Table.Td>{'host' in value && value.host ? value.host : '—'}</Table.Td>
                <Table.Td>{status}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {settings.data && (
        <Text size="sm">
          {t('admin.extraction')}: <Code>{settings.data.extraction}</Code> · {t('admin.dimensions')}:{' '}
          <Code>{settings.data.embedding.dimensions}</Code>
        </Text>
      )}
      <Group>
        <Button onClick={() => check.mutate()} loading={check.isPending} variant="light">
          {t('admin.checkHealth')}
        </Button>
      </Group>
    </Stack>
  );
}

function UsagePanel() {
  const { t } = useTranslation();
  const { call, scope } = useApi();
  const usage = useQuery({ queryKey: ['usage', ...scope], queryFn: () => call<Usage>('/v1/usage') });
  if (!usage.data) return null;
  const cards: [string, string | number][] = [
    [t('admin.usage.documents'), usage.data.documents.total],
    [t('admin.usage.indexed'), usage.data.documents.byStatus.indexed ?? 0],
    [t('admin.usage.failed'), usage.data.documents.byStatus.failed ?? 0],
    [t('admin.usage.stored'), formatBytes(usage.data.documents.bytes)],
    [t('admin.usage.chunks'), usage.data.chunks],
    [t('admin.usage.entities'), usage.data.entities],
    [t('admin.usage.relations'), usage.data.relations],
    [t('admin.usage.communities'), usage.data.communities],
    [t('admin.usage.questions'), usage.data.questions.total],
    [t('admin.usage.questions30'), usage.data.questions.last30Days],
    [t('admin.usage.promptTokens'), usage.data.tokens.prompt],
    [t('admin.usage.completionTokens'), usage.data.tokens.completion],
  ];
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} data-testid="usage">
      {cards.map(([label, value]) => (
        <Paper key={label} withBorder p="sm">
          <Text size="xs" c="dimmed">
            {label}
          </Text>
          <Text size="xl" fw={600}>
            {value}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

/** Tenants, API keys, model providers and usage. */
export function AdminPage() {
  const { t } = useTranslation();
  const { session } = useApi();
  const isAdmin = session.role === 'admin';
  const isOwner = isAdmin || session.role === 'owner';
  const hasTenant = Boolean(isAdmin ? session.tenant : session.keyTenantId);
  const initial = isAdmin ? 'tenants' : isOwner ? 'keys' : 'usage';
  return (
    <Stack>
      <Title order={2}>{t('admin.title')}</Title>
      <Tabs defaultValue={initial} keepMounted={false}>
        <Tabs.List>
          {isAdmin && <Tabs.Tab value="tenants">{t('admin.tabs.tenants')}</Tabs.Tab>}
          {isOwner && <Tabs.Tab value="keys">{t('admin.tabs.keys')}</Tabs.Tab>}
          {isAdmin && <Tabs.Tab value="models">{t('admin.tabs.models')}</Tabs.Tab>}
          {hasTenant && <Tabs.Tab value="usage">{t('admin.tabs.usage')}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="tenants" pt="md">
          <TenantsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="keys" pt="md">
          <KeysPanel />
        </Tabs.Panel>
        <Tabs.Panel value="models" pt="md">
          <ModelsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="usage" pt="md">
          <UsagePanel />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
