import { notifications } from '@mantine/notifications';
import { ApiError } from '../api/api-error.js';
import { i18n } from '../i18n/i18n.js';

/** A red toast with what failed and the request id to quote to an operator. */
export function showError(error: unknown, title?: string): void {
  if ((error as Error | undefined)?.name === 'AbortError') return;
  const t = i18n.t.bind(i18n);
  const apiError = error instanceof ApiError ? error : null;
  const message = apiError
    ? `${apiError.message}${apiError.fields.length > 0 ? ` (${apiError.fields.map((field) => field.path).join(', ')})` : ''}`
    : error instanceof Error
      ? error.message
      : String(error);
  notifications.show({
    color: 'red',
    title: title ?? (apiError ? t('errors.requestFailed', { code: apiError.code }) : t('errors.unexpected')),
    message: apiError?.requestId
      ? `${message} — ${t('errors.requestId', { id: apiError.requestId })}`
      : message,
    autoClose: 10_000,
    withBorder: true,
    closeButtonProps: { 'aria-label': t('common.dismiss') },
  });
}

export function showSuccess(message: string): void {
  notifications.show({
    color: 'teal',
    message,
    autoClose: 4_000,
    // Mantine's close button has no accessible name of its own.
    closeButtonProps: { 'aria-label': i18n.t('common.dismiss') },
  });
}
