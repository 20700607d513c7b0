import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseInput, type InputLocation } from './validation.js';

/**
 * The API reference, generated from the same zod schemas that validate the requests.
 *
 * A route documents itself by declaring `schema: { summary, tags, body, querystring, params,
 * response }` with zod schemas: Fastify then validates its input with them (through `parseInput`,
 * so a bad request gets the same `validation_failed` error with field paths as everywhere), and
 * `/openapi.json` (OpenAPI 3.1) and `/docs` (Swagger UI, served from this process: no CDN) show it.
 * Routes registered after this plugin — any plugin, any file — appear without further wiring.
 * A plain JSON Schema (e.g. a multipart body, which Fastify does not parse) is documentation only.
 */

const locationByPart: Record<string, InputLocation> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

const isZodSchema = (schema: unknown): schema is z.ZodType => schema instanceof z.ZodType;

interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly hidden: boolean;
}
const routesByApp = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route registered after `registerOpenApi` (tests compare them with the document). */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return routesByApp.get(app) ?? [];
}

// jsonSchemaTransform converts every part it is given as zod; plain JSON Schema parts pass through.
function transform(
  document: Parameters<typeof jsonSchemaTransform>[0],
): ReturnType<typeof jsonSchemaTransform> {
  const schema = (document.schema ?? {}) as Record<string, unknown>;
  const plain: Record<string, unknown> = {};
  const zodOnly: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (
      ['body', 'querystring', 'params', 'headers'].includes(key) &&
      value !== undefined &&
      !isZodSchema(value)
    ) {
      plain[key] = value;
    } else {
      zodOnly[key] = value;
    }
  }
  const transformed = jsonSchemaTransform({ ...document, schema: zodOnly as FastifySchema });
  return {
    ...transformed,
    schema: { ...(transformed.schema as Record<string, unknown>), ...plain } as FastifySchema,
  };
}

export interface OpenApiOptions {
  readonly version: string;
}

export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  const routes: RegisteredRoute[] = [];
  routesByApp.set(app, routes);
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      routes.push({
        method,
        url: route.url,
        hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide),
      });
    }
  });

  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (!isZodSchema(schema)) return () => true;
    const location = locationByPart[httpPart ?? 'body'] ?? 'body';
    return (data: unknown) => {
      try {
        return { value: parseInput(schema, data, location) };
      } catch (error) {
        return { error: error as Error };
      }
    };
  });
  // Zod response schemas are checked as they are serialised (a mismatch is a bug: 500, logged).
  app.setSerializerCompiler((route) =>
    isZodSchema(route.schema) || isZodSchema((route.schema as { properties?: unknown }).properties)
      ? serializerCompiler(route as Parameters<typeof serializerCompiler>[0])
      : (data: unknown) => JSON.stringify(data),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Rhizome API',
        version: options.version,
        description:
          'Agentic GraphRAG over one PostgreSQL. Every route needs `Authorization: Bearer rhz_…`. ' +
          'Platform admin keys name the tenant they act on with `X-Rhizome-Tenant` (id or slug). ' +
          'Errors are `{ error: { code, message, category, requestId, fields? } }`.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'rhz_<id>_<secret>' } },
      },
      security: [{ apiKey: [] }],
    },
    transform,
    transformObject: jsonSchemaTransformObject,
  });

  // The reference pages need no key: mark every route of this encapsulated plugin public.
  await app.register(async (documentation) => {
    documentation.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), public: true };
    });
    await documentation.register(swaggerUi, { routePrefix: '/docs' });
    documentation.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  });
}
