import { modals } from '@mantine/modals';
import { i18n } from '../i18n/i18n.js';

/** Asks before a destructive action; runs it only on confirmation. */
export function confirmAction(message: string, onConfirm: () => void): void {
  modals.openConfirmModal({
    title: i18n.t('common.areYouSure'),
    children: message,
    labels: { confirm: i18n.t('common.confirm'), cancel: i18n.t('common.cancel') },
    confirmProps: { color: 'red' },
    onConfirm,
  });
}
