import { MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ApiError } from './api/api-error.js';
import { SessionProvider, useSession } from './components/session-context.js';
import { Layout } from './components/layout.js';
import { showError } from './components/error-toast.js';
import { SignInPage } from './pages/sign-in-page.js';
import { theme } from './theme.js';

// One chunk per page, loaded on first visit: sign-in needs none of them, and sigma.js with
// graphology (the bulk of the graph page) loads only when the graph explorer opens.
const AdminPage = lazy(() =>
  import('./pages/admin-page.js').then((module) => ({ default: module.AdminPage })),
);
const ChatPage = lazy(() => import('./pages/chat-page.js').then((module) => ({ default: module.ChatPage })));
const DocumentPage = lazy(() =>
  import('./pages/document-page.js').then((module) => ({ default: module.DocumentPage })),
);
const DocumentsPage = lazy(() =>
  import('./pages/documents-page.js').then((module) => ({ default: module.DocumentsPage })),
);
const GraphPage = lazy(() =>
  import('./pages/graph-page.js').then((module) => ({ default: module.GraphPage })),
);
const SearchPage = lazy(() =>
  import('./pages/search-page.js').then((module) => ({ default: module.SearchPage })),
);

function createQueryClient(): QueryClient {
  return new QueryClient({
    // Every failed request shows a toast with the service's request id; pages add their own context.
    queryCache: new QueryCache({
      onError: (error, query) => {
        // Optional server features (chat threads before the agent is deployed) fail quietly.
        if (query.meta?.quiet404 && error instanceof ApiError && error.status === 404) return;
        showError(error);
      },
    }),
    mutationCache: new MutationCache({ onError: (error) => showError(error) }),
    defaultOptions: {
      queries: {
        retry: (count, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
    },
  });
}

function SignedIn({ children }: { children: React.ReactNode }) {
  const { session } = useSession();
  if (!session) return <Navigate to="/sign-in" replace />;
  return <>{children}</>;
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Notifications position="top-right" limit={4} />
      <ModalsProvider>
        <QueryClientProvider client={queryClient}>
          <SessionProvider>
            <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, '')}>
              <Routes>
                <Route path="/sign-in" element={<SignInPage />} />
                <Route
                  element={
                    <SignedIn>
                      <Layout />
                    </SignedIn>
                  }
                >
                  <Route index element={<Navigate to="/documents" replace />} />
                  <Route path="/documents" element={<DocumentsPage />} />
                  <Route path="/documents/:documentId" element={<DocumentPage />} />
                  <Route path="/search" element={<SearchPage />} />
                  <Route path="/chat" element={<ChatPage />} />
                  <Route path="/chat/:threadId" element={<ChatPage />} />
                  <Route path="/graph" element={<GraphPage />} />
                  <Route path="/admin" element={<AdminPage />} />
                </Route>
                <Route path="*" element={<Navigate to="/documents" replace />} />
              </Routes>
            </BrowserRouter>
          </SessionProvider>
        </QueryClientProvider>
      </ModalsProvider>
    </MantineProvider>
  );
}
