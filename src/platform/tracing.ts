import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import type { Config } from '../core/config.js';

export interface Tracing {
  /** Flushes buffered spans and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Installs OpenTelemetry for this process: context propagation (W3C traceparent in and out), a
 * tracer provider sampling OTEL_TRACES_SAMPLER_ARG of new traces (callers' decisions are kept), and
 * an OTLP/HTTP exporter when OTEL_EXPORTER_OTLP_ENDPOINT is set. Without an endpoint spans are still
 * made, so logs carry trace ids a proxy or caller can correlate; they are just not sent anywhere.
 * `extraProcessors` lets tests collect spans in memory.
 */
export function startTracing(
  config: Pick<Config, 'telemetry' | 'profile'>,
  logger: Logger,
  extraProcessors: readonly SpanProcessor[] = [],
): Tracing {
  const processors: SpanProcessor[] = [...extraProcessors];
  const endpoint = config.telemetry.otlpEndpoint;
  if (endpoint) {
    const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) }));
    logger.info({ endpoint: url, sampleRatio: config.telemetry.sampleRatio }, 'exporting traces over OTLP');
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': config.telemetry.serviceName,
      'deployment.environment.name': config.profile,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.telemetry.sampleRatio) }),
    spanProcessors: processors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
