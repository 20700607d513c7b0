import {
  ActionIcon,
  Alert,
  AppShell,
  Burger,
  Center,
  Group,
  Loader,
  NavLink,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconFiles,
  IconGraph,
  IconLogout,
  IconMessageChatbot,
  IconMoon,
  IconSearch,
  IconSettings,
  IconSun,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import type { Tenant } from '../api/types.js';
import { useDocumentEvents } from '../documents/use-document-events.js';
import { useApi, useSession } from './session-context.js';

const navigation = [
  { to: '/documents', key: 'nav.documents', icon: IconFiles },
  { to: '/search', key: 'nav.search', icon: IconSearch },
  { to: '/chat', key: 'nav.chat', icon: IconMessageChatbot },
  { to: '/graph', key: 'nav.graph', icon: IconGraph },
  { to: '/admin', key: 'nav.admin', icon: IconSettings },
] as const;

function LanguageSwitch() {
  const { i18n, t } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('header.language')}
      value={i18n.resolvedLanguage?.startsWith('zh') ? 'zh-CN' : 'en'}
      onChange={(value) => void i18n.changeLanguage(value)}
      data={[
        { value: 'en', label: 'EN' },
        { value: 'zh-CN', label: '中文' },
      ]}
    />
  );
}

function ThemeToggle() {
  const { t } = useTranslation();
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const label = scheme === 'dark' ? t('header.lightTheme') : t('header.darkTheme');
  return (
    <Tooltip label={label}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={label}
        onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
      >
        {scheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

function TenantSwitch({ testId }: { testId: string }) {
  const { t } = useTranslation();
  const { session, call } = useApi();
  const { setTenant } = useSession();
  const tenants = useQuery({
    queryKey: ['tenants', session.key.slice(0, 16)],
    queryFn: () => call<{ tenants: Tenant[] }>('/v1/tenants'),
    enabled: session.role === 'admin',
  });
  if (session.role !== 'admin') return null;
  return (
    <Select
      size="xs"
      w={180}
      aria-label={t('header.tenant')}
      placeholder={t('header.chooseTenant')}
      data={(tenants.data?.tenants ?? []).map((tenant) => ({
        value: tenant.id,
        label: tenant.name || tenant.slug,
      }))}
      value={session.tenant}
      onChange={(value) => setTenant(value)}
      allowDeselect={false}
      data-testid={testId}
    />
  );
}

/** The frame of every signed-in page: header, navigation, live document events. */
export function Layout() {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const { session, setSession } = useSession();
  useDocumentEvents();
  const needsTenant = session?.role === 'admin' && !session.tenant && location.pathname !== '/admin';
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={t('header.menu')}
            />
            <Text fw={700} size="lg" c="teal">
              Rhizome
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            {/* On phones the tenant and language switches move into the navigation drawer. */}
            <Group gap="xs" wrap="nowrap" visibleFrom="sm">
              <TenantSwitch testId="tenant-switch" />
              <LanguageSwitch />
            </Group>
            <ThemeToggle />
            <Tooltip label={t('header.signOut')}>
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={t('header.signOut')}
                onClick={() => setSession(null)}
              >
                <IconLogout size={18} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('header.navigation')}>
        <Stack gap="xs" hiddenFrom="sm" mb="sm">
          <TenantSwitch testId="tenant-switch-drawer" />
          <LanguageSwitch />
        </Stack>
        {navigation.map((item) => (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={t(item.key)}
            leftSection={<item.icon size={18} />}
            active={location.pathname.startsWith(item.to)}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {needsTenant ? (
          <Alert color="yellow" title={t('header.noTenantTitle')}>
            {t('header.noTenant')}
          </Alert>
        ) : (
          // Pages load on first visit (one chunk each); the frame stays meanwhile.
          <Suspense
            fallback={
              <Center py="xl">
                <Loader size="sm" aria-label={t('common.loading')} />
              </Center>
            }
          >
            <Outlet />
          </Suspense>
        )}
      </AppShell.Main>
    </AppShell>
  );
}
