import { ConfigReader } from '@backstage/config';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_HEALTH_CONFIG, readHealthConfig } from './healthConfig';

const repoFile = (name: string) =>
  parse(readFileSync(resolve(__dirname, '../../../..', name), 'utf8'));

describe("the repository's app configs", () => {
  it('let local runs probe 127.0.0.1 every second without preview checks, and production take the defaults', () => {
    const development = new ConfigReader(repoFile('app-config.yaml'));
    expect(readHealthConfig(development.getConfig('opshub'))).toMatchObject({
      allowedNetworks: ['127.0.0.1/32'],
      minIntervalMs: 1_000,
      previews: { enabled: false },
    });
    const production = ConfigReader.fromConfigs([
      { context: 'app-config.yaml', data: repoFile('app-config.yaml') },
      {
        context: 'app-config.production.yaml',
        data: repoFile('app-config.production.yaml'),
      },
    ]);
    expect(readHealthConfig(production.getConfig('opshub'))).toEqual(
      DEFAULT_HEALTH_CONFIG,
    );
  });
});
