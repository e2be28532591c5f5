import type { OpsHubBinding } from '@opshub/plugin-opshub-common';
import { OpsHubClient } from './OpsHubClient';

const binding: OpsHubBinding = {
  entityRef: 'component:default/storefront',
  repository: 'acme/storefront',
  verified: true,
  verifiedBy: 'approval',
  approvedBy: 'user:default/alice',
  approvedAt: '2026-11-20T10:00:00.000Z',
  problem: null,
};

/** A client whose backend answers every request with `body`, recording them. */
function clientAnswering(body: unknown, status = 200) {
  const requests: { url: string; method?: string; body?: unknown }[] = [];
  const client = new OpsHubClient({
    discoveryApi: {
      getBaseUrl: async pluginId => `http://backstage.test/api/${pluginId}`,
    },
    fetchApi: {
      fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
        requests.push({
          url: String(url),
          method: init?.method,
          ...(init?.body !== undefined && {
            body: JSON.parse(String(init.body)),
          }),
        });
        return new Response(JSON.stringify(body), {
          status,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    },
  });
  return { client, requests };
}

describe('OpsHubClient', () => {
  describe('repository bindings', () => {
    it('lists all bindings, or only the unverified ones', async () => {
      const { client, requests } = clientAnswering({ items: [binding] });

      await expect(client.getBindings()).resolves.toEqual([binding]);
      await expect(client.getBindings({ verified: false })).resolves.toEqual([
        binding,
      ]);

      expect(requests).toEqual([
        { url: 'http://backstage.test/api/opshub/org/bindings', method: 'GET' },
        {
          url: 'http://backstage.test/api/opshub/org/bindings?verified=false',
          method: 'GET',
        },
      ]);
    });

    it("approves an entity's binding by its ref, naming the repository", async () => {
      const { client, requests } = clientAnswering(binding);

      await expect(
        client.approveBinding(
          'component:default/storefront',
          'acme/storefront',
        ),
      ).resolves.toEqual(binding);
      await client.approveBinding({
        kind: 'Component',
        namespace: 'team a',
        name: 'web',
      });

      expect(requests).toEqual([
        {
          url: 'http://backstage.test/api/opshub/org/bindings/component/default/storefront',
          method: 'PUT',
          body: { repository: 'acme/storefront' },
        },
        {
          url: 'http://backstage.test/api/opshub/org/bindings/Component/team%20a/web',
          method: 'PUT',
          body: {},
        },
      ]);
    });

    it("revokes an entity's approval", async () => {
      const unapproved = { ...binding, verified: false, verifiedBy: null };
      const { client, requests } = clientAnswering(unapproved);

      await expect(
        client.revokeBinding('component:default/storefront'),
      ).resolves.toEqual(unapproved);

      expect(requests).toEqual([
        {
          url: 'http://backstage.test/api/opshub/org/bindings/component/default/storefront',
          method: 'DELETE',
        },
      ]);
    });

    it("throws the backend's refusal", async () => {
      const { client } = clientAnswering(
        {
          error: { name: 'NotAllowedError', message: 'Requires opshub.admin' },
        },
        403,
      );

      await expect(
        client.getBindings({ verified: false }),
      ).rejects.toMatchObject({ response: { status: 403 } });
    });
  });
});
