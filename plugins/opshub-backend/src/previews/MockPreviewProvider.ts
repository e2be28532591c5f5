import { parseEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { readDurationFromConfig } from '@backstage/config';
import type {
  PreviewDeployment,
  PreviewDeploymentStatus,
  PreviewProvider,
  PreviewSource,
} from '@opshub/plugin-opshub-node';
import { createHash } from 'node:crypto';

export interface MockPreviewProviderOptions {
  /** How long a build takes. */
  delayMs: number;
  /** Share of heads whose build fails, 0 to 1; the same head always agrees. */
  failureRate: number;
  /** Preview URLs are `https://<name>-pr-<n>.<domain>`. */
  domain: string;
}

export const defaultMockOptions: MockPreviewProviderOptions = {
  delayMs: 3_000,
  failureRate: 0,
  domain: 'preview.opshub.test',
};

/**
 * A provider with nothing behind it, for local runs and tests: builds take
 * `delayMs`, fail for a deterministic share of heads, and serve a URL
 * derived from the entity and PR. Stateless (the deploy id carries its start
 * time), so any backend instance answers for any deploy.
 */
export class MockPreviewProvider implements PreviewProvider {
  readonly id = 'mock';

  constructor(
    private readonly options: MockPreviewProviderOptions = defaultMockOptions,
  ) {}

  static fromConfig(config?: Config): MockPreviewProvider {
    return new MockPreviewProvider({
      delayMs: config?.has('delay')
        ? durationToMilliseconds(
            readDurationFromConfig(config, { key: 'delay' }),
          )
        : defaultMockOptions.delayMs,
      failureRate:
        config?.getOptionalNumber('failureRate') ??
        defaultMockOptions.failureRate,
      domain: config?.getOptionalString('domain') ?? defaultMockOptions.domain,
    });
  }

  async create(source: PreviewSource): Promise<PreviewDeployment> {
    return {
      deploymentId: `mock-${source.headSha.slice(0, 12)}-${Date.now()}`,
    };
  }

  async status(
    deployment: PreviewDeployment & { source: PreviewSource },
  ): Promise<PreviewDeploymentStatus> {
    const startedAt = Number(deployment.deploymentId.split('-').pop());
    if (Date.now() - startedAt < this.options.delayMs) {
      return { state: 'building' };
    }
    if (this.fails(deployment.source.headSha)) {
      return {
        state: 'failed',
        errorClass: 'build',
        errorCode: 'MOCK_BUILD_FAILED',
        message: 'The mock provider failed this head, as configured',
      };
    }
    return { state: 'ready', url: this.urlOf(deployment.source) };
  }

  async destroy(): Promise<void> {
    // Nothing to take down.
  }

  urlOf(source: PreviewSource): string {
    const { name } = parseEntityRef(source.entityRef);
    const host = `${name}-pr-${source.prNumber}`
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-');
    return `https://${host}.${this.options.domain}`;
  }

  private fails(headSha: string): boolean {
    if (this.options.failureRate <= 0) return false;
    const digest = createHash('sha256').update(headSha).digest();
    return digest.readUInt32BE(0) / 0x1_0000_0000 < this.options.failureRate;
  }
}
