import openApi from '@netlify/open-api/dist/swagger.json';
import {
  buildObject,
  deployObject,
  envValueObject,
  envVarObject,
  githubRepo,
  siteDeploysPage,
  siteObject,
} from './netlifyObjects';

type Definition = { properties: Record<string, Definition | object> };

const definitions = openApi.definitions as unknown as Record<
  string,
  Definition
>;

function documentedKeys(definition: Definition): string[] {
  return Object.keys(definition.properties).sort();
}

describe('Netlify fixtures', () => {
  it('answer with every documented property of a deploy', () => {
    expect(Object.keys(deployObject()).sort()).toEqual(
      documentedKeys(definitions.deploy),
    );
  });

  it('answer the deploy list with every documented property of its items', () => {
    const listed = openApi.paths['/sites/{site_id}/deploys'].get.responses[
      '200'
    ].schema.items as unknown as Definition;
    const [deploy] = siteDeploysPage([deployObject()], new URLSearchParams());
    expect(Object.keys(deploy).sort()).toEqual(documentedKeys(listed));
  });

  it('answer with every documented property of a build', () => {
    expect(Object.keys(buildObject()).sort()).toEqual(
      documentedKeys(definitions.build),
    );
  });

  it('answer with every documented property of a site and its parts', () => {
    const site = siteObject();
    const documented = definitions.site;
    expect(Object.keys(site).sort()).toEqual(documentedKeys(documented));
    expect(Object.keys(site.build_settings as object).sort()).toEqual(
      documentedKeys(definitions.repoInfo),
    );
    expect(Object.keys(site.published_deploy as object).sort()).toEqual(
      documentedKeys(documented.properties.published_deploy as Definition),
    );
  });

  it('keep every documented property of a site linked elsewhere', () => {
    const site = siteObject({}, githubRepo('acme/storefront'));
    expect(Object.keys(site).sort()).toEqual(documentedKeys(definitions.site));
    expect(Object.keys(site.build_settings as object).sort()).toEqual(
      documentedKeys(definitions.repoInfo),
    );
    expect(site.build_settings).toMatchObject({
      repo_url: 'https://github.com/acme/storefront',
      repo_path: 'acme/storefront',
    });
  });

  it('answer with every documented property of an env var and its values', () => {
    const envVar = envVarObject();
    const documented = definitions.envVar;
    expect(Object.keys(envVar).sort()).toEqual(documentedKeys(documented));
    expect(Object.keys(envValueObject()).sort()).toEqual(
      documentedKeys(definitions.envVarValue),
    );
    expect(Object.keys(envVar.updated_by as object).sort()).toEqual(
      documentedKeys(documented.properties.updated_by as Definition),
    );
    const listed = openApi.paths['/accounts/{account_id}/env'].get.responses[
      '200'
    ].schema.items as unknown as Definition;
    expect(Object.keys(envVar).sort()).toEqual(documentedKeys(listed));
  });
});
