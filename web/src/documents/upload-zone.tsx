import { Group, Progress, Stack, Text, CloseButton, Paper } from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import { IconCloudUpload, IconFileUpload, IconX } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/api-error.js';
import { uploadWithProgress } from '../api/client.js';
import { useApi } from '../components/session-context.js';

interface UploadItem {
  readonly id: number;
  readonly name: string;
  readonly progress: number;
  readonly state: 'uploading' | 'done' | 'duplicate' | 'failed';
  readonly message?: string;
}

interface IntakeResponse {
  documents: {
    id: string;
    fileName: string;
    status: string;
    duplicate: boolean;
    errorMessage: string | null;
  }[];
}

const parallelUploads = 3;
let nextUploadId = 1;

/** Drag-and-drop (or pick) many files; each uploads on its own with its own progress bar. */
export function UploadZone({ collection, disabled }: { collection: string | null; disabled?: boolean }) {
  const { t } = useTranslation();
  const { session } = useApi();
  const queryClient = useQueryClient();
  const [items, setItems] = useState<UploadItem[]>([]);
  const update = (id: number, change: Partial<UploadItem>) =>
    setItems((current) => current.map((item) => (item.id === id ? { ...item, ...change } : item)));

  const upload = useCallback(
    async (files: File[]) => {
      const queued = files.map((file) => ({ file, id: nextUploadId++ }));
      setItems((current) => [
        ...queued.map(({ file, id }) => ({ id, name: file.name, progress: 0, state: 'uploading' as const })),
        ...current,
      ]);
      const work = [...queued];
      const runOne = async () => {
        for (let next = work.shift(); next; next = work.shift()) {
          const { file, id } = next;
          const form = new FormData();
          if (collection) form.append('collection', collection);
          form.append('file', file, file.name);
          try {
            const response = await uploadWithProgress<IntakeResponse>(
              session,
              '/v1/documents',
              form,
              (fraction) => update(id, { progress: Math.round(fraction * 100) }),
            );
            const result = response.documents[0];
            if (result?.status === 'failed')
              update(id, { state: 'failed', message: result.errorMessage ?? '' });
            else update(id, { state: result?.duplicate ? 'duplicate' : 'done', progress: 100 });
          } catch (error) {
            const message =
              error instanceof ApiError
                ? `${error.message}${error.requestId ? ` — ${t('errors.requestId', { id: error.requestId })}` : ''}`
                : String(error);
            update(id, { state: 'failed', message });
          }
          void queryClient.invalidateQueries({ queryKey: ['documents'] });
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallelUploads, queued.length) }, runOne));
    },
    [collection, queryClient, session, t],
  );

  return (
    <Stack gap="xs">
      <Dropzone
        onDrop={(files) => void upload(files)}
        multiple
        disabled={disabled}
        aria-label={t('documents.dropLabel')}
        data-testid="upload-dropzone"
      >
        <Group justify="center" gap="md" mih={90} style={{ pointerEvents: 'none' }}>
          <Dropzone.Accept>
            <IconFileUpload size={40} />
          </Dropzone.Accept>
          <Dropzone.Reject>
            <IconX size={40} />
          </Dropzone.Reject>
          <Dropzone.Idle>
            <IconCloudUpload size={40} stroke={1.5} />
          </Dropzone.Idle>
          <div>
            <Text size="lg">{t('documents.dropTitle')}</Text>
            <Text size="sm" c="dimmed">
              {t('documents.dropHint')}
            </Text>
          </div>
        </Group>
      </Dropzone>
      {items.length > 0 && (
        <Paper withBorder p="xs">
          <Group justify="space-between" mb={4}>
            <Text size="sm" fw={500}>
              {t('documents.uploads')}
            </Text>
            <CloseButton
              size="sm"
              aria-label={t('documents.clearUploads')}
              onClick={() => setItems((current) => current.filter((item) => item.state === 'uploading'))}
            />
          </Group>
          <Stack gap={6} data-testid="upload-list">
            {items.map((item) => (
              <div key={item.id}>
                <Group justify="space-between" gap="xs" wrap="nowrap">
                  <Text size="xs" truncate="end">
                    {item.name}
                  </Text>
                  <Text
                    size="xs"
                    c={item.state === 'failed' ? 'red' : 'dimmed'}
                    style={{ whiteSpace: 'nowrap' }}
                  >
                    {t(`documents.upload.${item.state}`)}
                    {item.state === 'uploading' ? ` ${item.progress}%` : ''}
                  </Text>
                </Group>
                <Progress
                  value={item.progress}
                  size="sm"
                  color={item.state === 'failed' ? 'red' : item.state === 'uploading' ? 'blue' : 'teal'}
                  aria-label={t('documents.uploadProgress', { name: item.name })}
                />
                {item.message && (
                  <Text size="xs" c="red">
                    {item.message}
                  </Text>
                )}
              </div>
            ))}
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}
