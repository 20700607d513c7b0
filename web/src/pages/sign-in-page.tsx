import {
  Accordion,
  Alert,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate } from 'react-router';
import { ApiError } from '../api/api-error.js';
import { callApi } from '../api/client.js';
import { defaultApiUrl, type Session } from '../api/session.js';
import type { Me, Tenant } from '../api/types.js';
import { useSession } from '../components/session-context.js';

/** Sign in with an API key; the key stays in this tab's session storage only. */
export function SignInPage() {
  const { t } = useTranslation();
  const { session, setSession } = useSession();
  const [key, setKey] = useState('');
  const [server, setServer] = useState(defaultApiUrl);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // An admin without a tenant starts in Admin, where tenants are created.
  if (session)
    return <Navigate to={session.role === 'admin' && !session.tenant ? '/admin' : '/documents'} replace />;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    const draft: Session = {
      apiUrl: server.trim(),
      key: key.trim(),
      role: 'reader',
      keyTenantId: null,
      tenant: null,
    };
    try {
      const me = await callApi<Me>(draft, '/v1/me');
      let tenant = me.tenantId;
      if (me.role === 'admin') {
        const { tenants } = await callApi<{ tenants: Tenant[] }>({ ...draft, role: 'admin' }, '/v1/tenants');
        tenant = tenants[0]?.id ?? null;
      }
      setSession({ ...draft, role: me.role, keyTenantId: me.tenantId, tenant });
    } catch (caught) {
      setError(
        caught instanceof ApiError
          ? caught.status === 401
            ? t('signIn.rejected')
            : `${caught.message}${caught.requestId ? ` — ${t('errors.requestId', { id: caught.requestId })}` : ''}`
          : t('signIn.unreachable'),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md">
      <Paper
        withBorder
        shadow="sm"
        p="xl"
        w="100%"
        maw={440}
        component="form"
        onSubmit={(event) => void submit(event)}
      >
        <Stack>
          <div>
            <Title order={1} size="h2" c="teal">
              Rhizome
            </Title>
            <Text c="dimmed" size="sm">
              {t('signIn.subtitle')}
            </Text>
          </div>
          <PasswordInput
            label={t('signIn.apiKey')}
            description={t('signIn.apiKeyHint')}
            placeholder="rhz_…"
            value={key}
            onChange={(event) => setKey(event.currentTarget.value)}
            required
            autoFocus
            autoComplete="off"
          />
          <Accordion variant="contained">
            <Accordion.Item value="server">
              <Accordion.Control>{t('signIn.advanced')}</Accordion.Control>
              <Accordion.Panel>
                <TextInput
                  label={t('signIn.server')}
                  description={t('signIn.serverHint')}
                  placeholder="https://rhizome.example.com"
                  value={server}
                  onChange={(event) => setServer(event.currentTarget.value)}
                />
              </Accordion.Panel>
            </Accordion.Item>
          </Accordion>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={busy} disabled={key.trim().length === 0}>
              {t('signIn.submit')}
            </Button>
          </Group>
        </Stack>
      </Paper>
    </Center>
  );
}
