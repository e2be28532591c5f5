import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A Component of the row's catalog and the repository it names. */
export interface BenchEntity {
  entityRef: string;
  /** `owner/name`. */
  repository: string;
}

/** `count` Components `r8-<i>`, each naming `bench/r8-<i>`, mock previews. */
export function benchEntities(count: number): BenchEntity[] {
  return Array.from({ length: count }, (_, i) => ({
    entityRef: `component:default/r8-${i}`,
    repository: `bench/r8-${i}`,
  }));
}

/**
 * Writes the entities as a catalog file in `dir` and returns the config (as
 * APP_CONFIG_* variables) that registers it as the only catalog location and
 * approves each entity's binding: a file location proves nothing about a
 * repository, so without the approval no PR would get a preview.
 */
export function catalogConfig(
  dir: string,
  entities: BenchEntity[],
): Record<string, string> {
  const file = join(dir, 'catalog-r8.yaml');
  const documents = entities.map(({ entityRef, repository }) =>
    JSON.stringify({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: entityRef.split('/')[1],
        annotations: {
          'github.com/project-slug': repository,
          'opshub.dev/preview-provider': 'mock',
        },
      },
      spec: { type: 'service', lifecycle: 'experimental', owner: 'bench' },
    }),
  );
  // YAML is a superset of JSON: one JSON document per entity.
  writeFileSync(file, documents.map(d => `---\n${d}\n`).join(''));
  return {
    APP_CONFIG_catalog_locations: JSON.stringify([
      { type: 'file', target: file },
    ]),
    APP_CONFIG_opshub_github_approvedBindings: JSON.stringify(entities),
  };
}
