import { ConfigReader } from '@backstage/config';
import {
  BindingVerifier,
  bindingVerification,
  describeBinding,
  githubHosts,
  locationRepository,
} from './bindings';

describe('locationRepository', () => {
  const hosts = ['github.com', 'ghe.acme.example'];

  it.each([
    ['url:https://github.com/acme/web/blob/main/catalog-info.yaml', 'acme/web'],
    ['url:https://github.com/Acme/Web/tree/main/services/', 'acme/web'],
    ['url:https://GitHub.com/acme/web', 'acme/web'],
    ['https://github.com/acme/web/blob/main/catalog-info.yaml', 'acme/web'],
    ['url:https://ghe.acme.example/tools/web/blob/main/x.yaml', 'tools/web'],
    [
      'url:https://github.com/acme/web-other/blob/main/catalog-info.yaml',
      'acme/web-other',
    ],
  ])('reads %s as inside %s', (location, repository) => {
    expect(locationRepository(location, hosts)).toBe(repository);
  });

  it.each([
    ['a file location', 'file:/srv/catalog/catalog-info.yaml'],
    ['a file location named like a URL', 'file:https://github.com/acme/web'],
    ['another host', 'url:https://gitlab.com/acme/web/-/blob/main/c.yaml'],
    [
      'a host that only starts like one',
      'url:https://github.com.evil.example/acme/web',
    ],
    ['an owner without a repository', 'url:https://github.com/acme'],
    ['an empty owner', 'url:https://github.com//web/blob/main/c.yaml'],
    ['not a URL', 'url:not a url'],
    ['another scheme', 'url:ftp://github.com/acme/web'],
    ['nothing', undefined],
  ])('finds no repository in %s', (_case, location) => {
    expect(locationRepository(location, hosts)).toBeUndefined();
  });

  it('resolves dot segments before reading the repository', () => {
    expect(
      locationRepository(
        'url:https://github.com/evil/tools/../../acme/web/blob/main/c.yaml',
        hosts,
      ),
    ).toBe('acme/web');
  });
});

describe('githubHosts', () => {
  it('reads the hosts of integrations.github, github.com always among them', () => {
    expect(githubHosts(new ConfigReader({}))).toEqual(['github.com']);
    expect(
      githubHosts(
        new ConfigReader({
          integrations: { github: [{ host: 'ghe.acme.example' }] },
        }),
      ),
    ).toEqual(['ghe.acme.example', 'github.com']);
  });
});

describe('BindingVerifier', () => {
  const verifier = new BindingVerifier({
    hosts: ['github.com'],
    approvedBindings: [
      { entityRef: 'component:default/docs', repository: 'acme/web' },
    ],
  });
  const web = { entityRef: 'component:default/web', repoSlug: 'Acme/Web' };

  it('proves a claim by a location inside the repository, compared case-insensitively', () => {
    expect(
      verifier.verify({
        ...web,
        location: 'url:https://github.com/acme/WEB/blob/main/catalog-info.yaml',
      }),
    ).toBe('location');
  });

  it('proves nothing by a location elsewhere, or none', () => {
    for (const location of [
      'url:https://github.com/acme/web-other/blob/main/catalog-info.yaml',
      'url:https://github.com/acme/api/blob/main/catalog-info.yaml',
      'file:/srv/catalog/catalog-info.yaml',
      undefined,
    ]) {
      expect(verifier.verify({ ...web, location })).toBeUndefined();
    }
  });

  it('proves the claims the config approves, and only those', () => {
    expect(
      verifier.verify({
        entityRef: 'component:default/docs',
        repoSlug: 'acme/web',
      }),
    ).toBe('config');
    expect(
      verifier.verify({
        entityRef: 'component:default/docs',
        repoSlug: 'acme/api',
      }),
    ).toBeUndefined();
  });
});

describe('bindingVerification', () => {
  const approval = {
    repoSlug: 'acme/web',
    approvedBy: 'user:default/root',
    approvedAt: new Date(),
  };
  const strict = { requireVerifiedBinding: true, sharing: 1 };

  it('takes the catalog read, then an approval of the repository it names', () => {
    expect(
      bindingVerification(
        { repoSlug: 'acme/web', verifiedBy: 'location', approval },
        strict,
      ),
    ).toBe('location');
    expect(
      bindingVerification({ repoSlug: 'acme/web', approval }, strict),
    ).toBe('approval');
    expect(
      bindingVerification({ repoSlug: 'acme/api', approval }, strict),
    ).toBeUndefined();
  });

  it('believes a sole claim when verification is off, never a shared one', () => {
    const off = (sharing: number) =>
      bindingVerification(
        { repoSlug: 'acme/web' },
        { requireVerifiedBinding: false, sharing },
      );
    expect(off(1)).toBe('not-required');
    expect(off(2)).toBeUndefined();
  });
});

describe('describeBinding', () => {
  const verifier = new BindingVerifier();
  const project = {
    entityRef: 'component:default/web',
    repoSlug: 'acme/web',
    trackedSince: new Date(),
  };

  it('says why a binding is not verified and how to fix it', () => {
    expect(
      describeBinding(
        { ...project, location: 'file:/srv/catalog/catalog-info.yaml' },
        { verifier, requireVerifiedBinding: true },
      ),
    ).toEqual({
      entityRef: 'component:default/web',
      repository: 'acme/web',
      verified: false,
      verifiedBy: null,
      approvedBy: null,
      approvedAt: null,
      problem:
        'component:default/web claims acme/web, but its catalog location is file:/srv/catalog/catalog-info.yaml — register it from a catalog-info.yaml in github.com/acme/web, or ask an OpsHub org owner to approve the binding on the /opshub page',
    });
  });

  it('names an approval that no longer counts, and a shared repository', () => {
    const stale = describeBinding(
      {
        ...project,
        approval: {
          repoSlug: 'acme/old',
          approvedBy: 'user:default/root',
          approvedAt: new Date(),
        },
      },
      { verifier, requireVerifiedBinding: true },
    );
    expect(stale.problem).toBe(
      'component:default/web claims acme/web, but it has no catalog location (backstage.io/managed-by-location); the approval by user:default/root was for acme/old, which it no longer names — register it from a catalog-info.yaml in github.com/acme/web, or ask an OpsHub org owner to approve the binding on the /opshub page',
    );
    expect(stale.approvedBy).toBeNull();

    expect(
      describeBinding(project, { verifier, requireVerifiedBinding: false })
        .problem,
    ).toMatch(
      /^component:default\/web claims acme\/web, which other entities claim too/,
    );
  });

  it('tells how a verified binding is verified, with its approval', () => {
    const approvedAt = new Date('2026-12-01T10:00:00Z');
    expect(
      describeBinding(
        {
          ...project,
          verifiedBy: 'approval',
          approval: {
            repoSlug: 'acme/web',
            approvedBy: 'user:default/root',
            approvedAt,
          },
        },
        { verifier, requireVerifiedBinding: true },
      ),
    ).toEqual({
      entityRef: 'component:default/web',
      repository: 'acme/web',
      verified: true,
      verifiedBy: 'approval',
      approvedBy: 'user:default/root',
      approvedAt: '2026-12-01T10:00:00.000Z',
      problem: null,
    });
  });
});
