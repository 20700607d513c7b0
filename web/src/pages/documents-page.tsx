import {
  ActionIcon,
  Anchor,
  Button,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFolderPlus, IconRefresh, IconSearch, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { documentStatusList, type Collection, type DocumentRecord } from '../api/types.js';
import { confirmAction } from '../components/confirm.js';
import { EmptyState } from '../components/empty-state.js';
import { showSuccess } from '../components/error-toast.js';
import { formatBytes, formatDate } from '../components/format.js';
import { useApi } from '../components/session-context.js';
import { StatusBadge } from '../documents/status-badge.js';
import { UploadZone } from '../documents/upload-zone.js';

type SortOrder = 'newest' | 'oldest' | 'name' | 'status';

function sortDocuments(documents: readonly DocumentRecord[], order: SortOrder): DocumentRecord[] {
  const copy = [...documents];
  switch (order) {
    case 'oldest':
      return copy.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    case 'name':
      return copy.sort((a, b) => (a.title || a.fileName).localeCompare(b.title || b.fileName));
    case 'status':
      return copy.sort((a, b) => documentStatusList.indexOf(a.status) - documentStatusList.indexOf(b.status));
    default:
      return copy.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}

function useCollections() {
  const { call, scope } = useApi();
  return useQuery({
    queryKey: ['collections', ...scope],
    queryFn: () => call<{ collections: Collection[] }>('/v1/collections'),
  });
}

function NewCollection() {
  const { t } = useTranslation();
  const { call } = useApi();
  const queryClient = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => call<Collection>('/v1/collections', { method: 'POST', body: { name: name.trim() } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['collections'] });
      setName('');
      close();
    },
  });
  return (
    <>
      <Button variant="default" leftSection={<IconFolderPlus size={16} />} onClick={open}>
        {t('documents.newCollection')}
      </Button>
      <Modal opened={opened} onClose={close} title={t('documents.newCollection')}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            <TextInput
              label={t('documents.collectionName')}
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              required
              data-autofocus
            />
            <Group justify="flex-end">
              <Button type="submit" loading={create.isPending} disabled={name.trim().length === 0}>
                {t('common.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

export function DocumentsPage() {
  const { t, i18n } = useTranslation();
  const { call, scope, session } = useApi();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<string | null>(null);
  const [collection, setCollection] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [order, setOrder] = useState<SortOrder>('newest');
  const collections = useCollections();
  const documents = useQuery({
    queryKey: ['documents', ...scope, status, collection],
    queryFn: () =>
      call<{ documents: DocumentRecord[] }>('/v1/documents', { query: { limit: 500, status, collection } }),
  });
  const remove = useMutation({
    mutationFn: (document: DocumentRecord) => call(`/v1/documents/${document.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      showSuccess(t('documents.deleted'));
      void queryClient.invalidateQueries({ queryKey: ['documents'] });
    },
  });
  const reingest = useMutation({
    mutationFn: (document: DocumentRecord) =>
      call(`/v1/documents/${document.id}/reingest`, { method: 'POST' }),
    onSuccess: (_result, document) => {
      showSuccess(t('documents.reingestQueued', { name: document.fileName }));
      void queryClient.invalidateQueries({ queryKey: ['documents'] });
    },
  });
  const collectionNames = new Map((collections.data?.collections ?? []).map((item) => [item.id, item.name]));
  const visible = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const filtered = (documents.data?.documents ?? []).filter(
      (document) =>
        needle.length === 0 ||
        document.fileName.toLowerCase().includes(needle) ||
        document.title.toLowerCase().includes(needle),
    );
    return sortDocuments(filtered, order);
  }, [documents.data, text, order]);
  const canEdit = session.role !== 'reader';

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('documents.title')}</Title>
        {canEdit && <NewCollection />}
      </Group>
      {canEdit && (
        <Stack gap={4}>
          <Select
            label={t('documents.uploadInto')}
            placeholder={t('documents.noCollection')}
            data={(collections.data?.collections ?? []).map((item) => ({
              value: item.name,
              label: item.name,
            }))}
            value={collection}
            onChange={setCollection}
            clearable
            maw={320}
          />
          <UploadZone collection={collection} />
        </Stack>
      )}
      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          leftSection={<IconSearch size={16} />}
          label={t('documents.filterText')}
          placeholder={t('documents.filterPlaceholder')}
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
          w={240}
        />
        <Select
          label={t('documents.filterStatus')}
          placeholder={t('documents.anyStatus')}
          data={documentStatusList.map((value) => ({ value, label: t(`status.${value}`) }))}
          value={status}
          onChange={setStatus}
          clearable
          w={170}
        />
        <Select
          label={t('documents.filterCollection')}
          placeholder={t('documents.anyCollection')}
          data={(collections.data?.collections ?? []).map((item) => ({ value: item.name, label: item.name }))}
          value={collection}
          onChange={setCollection}
          clearable
          w={190}
        />
        <Select
          label={t('documents.sort')}
          data={(['newest', 'oldest', 'name', 'status'] as const).map((value) => ({
            value,
            label: t(`documents.sortBy.${value}`),
          }))}
          value={order}
          onChange={(value) => setOrder((value as SortOrder | null) ?? 'newest')}
          allowDeselect={false}
          w={170}
        />
      </Group>
      {documents.isSuccess && visible.length === 0 ? (
        <EmptyState
          title={t('documents.emptyTitle')}
          hint={canEdit ? t('documents.emptyHint') : t('documents.emptyReader')}
        />
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="documents-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('documents.column.name')}</Table.Th>
                <Table.Th>{t('documents.column.status')}</Table.Th>
                <Table.Th>{t('documents.column.collection')}</Table.Th>
                <Table.Th>{t('documents.column.chunks')}</Table.Th>
                <Table.Th>{t('documents.column.size')}</Table.Th>
                <Table.Th>{t('documents.column.added')}</Table.Th>
                <Table.Th>
                  <span className="sr-only">{t('documents.column.actions')}</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {visible.map((document) => (
                <Table.Tr
                  key={document.id}
                  data-document={document.fileName}
                  data-indexed-at={document.indexedAt ?? ''}
                >
                  <Table.Td maw={360}>
                    <Anchor component={Link} to={`/documents/${document.id}`} size="sm" fw={500}>
                      {document.title || document.fileName}
                    </Anchor>
                    {document.title && document.title !== document.fileName && (
                      <Text size="xs" c="dimmed" truncate="end">
                        {document.fileName}
                      </Text>
                    )}
                    {document.status === 'failed' && (
                      <Text size="xs" c="red" data-testid="failure-reason">
                        {t('documents.failedAt', { stage: document.failedStage ?? '—' })}:{' '}
                        {document.errorMessage ?? document.errorCode}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td style={{ minWidth: 120 }}>
                    <StatusBadge status={document.status} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" data-testid="document-collection">
                      {document.collectionId ? (collectionNames.get(document.collectionId) ?? '—') : '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>{document.chunkCount}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatBytes(document.byteSize)}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="sm">{formatDate(document.createdAt, i18n.language)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {canEdit && (
                      <Group gap={4} wrap="nowrap">
                        <Tooltip label={t('documents.reingest')}>
                          <ActionIcon
                            variant="subtle"
                            aria-label={`${t('documents.reingest')}: ${document.fileName}`}
                            onClick={() => reingest.mutate(document)}
                          >
                            <IconRefresh size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={t('common.delete')}>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`${t('common.delete')}: ${document.fileName}`}
                            onClick={() =>
                              confirmAction(t('documents.confirmDelete', { name: document.fileName }), () =>
                                remove.mutate(document),
                              )
                            }
                          >
                            <IconTrash size={16} />
                          </ActionIcon>
                        </Tooltip>
                      </Group>
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
