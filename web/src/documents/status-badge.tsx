import { Badge, Loader } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { DocumentRecord } from '../api/types.js';

const colors: Record<DocumentRecord['status'], string> = {
  queued: 'gray',
  parsing: 'blue',
  chunking: 'blue',
  embedding: 'indigo',
  extracting: 'violet',
  indexed: 'teal',
  failed: 'red',
};

export function StatusBadge({ status }: { status: DocumentRecord['status'] }) {
  const { t } = useTranslation();
  const working = status !== 'indexed' && status !== 'failed';
  return (
    <Badge
      color={colors[status]}
      variant="light"
      leftSection={working ? <Loader size={10} color={colors[status]} /> : null}
      data-status={status}
    >
      {t(`status.${status}`)}
    </Badge>
  );
}
