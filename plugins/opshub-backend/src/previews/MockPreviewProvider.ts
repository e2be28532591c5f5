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
 * derived from the entity and PR. `status` needs no state (the deploy id
 * carries its start time), so any backend instance answers for any deploy.
 * `find` answers from the deploys this instance created and has not
 * destroyed (in memory): another instance, or this one after a restart,
 * finds nothing, and a retry creates the deploy again.
 */
export class MockPreviewProvider implements PreviewProvider {
  readonly id = 'mock';
  /** The latest deploy created per entity, PR and head, until destroyed. */
  private readonly deploys = new Map<string, PreviewDeployment>();

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
    const deployment = {
      deploymentId: `mock-${source.headSha.slice(0, 12)}-${Date.now()}`,
    };
    this.deploys.set(keyOf(source), deployment);
    return { ...deployment };
  }

  /** The latest deploy this instance created for the source, if standing. */
  async find(source: PreviewSource): Promise<PreviewDeployment | undefined> {
    const deployment = this.deploys.get(keyOf(source));
    return deployment && { ...deployment };
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

  /** Nothing to take down; `find` forgets the deploy. */
  async destroy(
    deployment: PreviewDeployment & { source: PreviewSource },
  ): Promise<void> {
    for (const [key, standing] of this.deploys) {
      if (standing.deploymentId === deployment.deploymentId) {
        this.deploys.delete(key);
      }
    }
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

function keyOf(source: PreviewSource): string {
  return JSON.stringify([source.entityRef, source.prNumber, source.headSha]);
}
