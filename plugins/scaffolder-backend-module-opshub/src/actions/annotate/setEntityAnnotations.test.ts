import { setEntityAnnotations } from './setEntityAnnotations';

const storefront = {
  kind: 'Component',
  namespace: 'default',
  name: 'storefront',
};

const multiDocument = `# The shop's entities
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: storefront-docs   # not this one
spec:
  type: documentation
---
# The storefront itself
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: storefront   # the shop
  annotations:
    github.com/project-slug: acme/storefront  # slug
    slack.com/bot-notify: old-channel
  tags: [web,  shop]
  # kept where it is
spec:
  type: service
  list:
  - a
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: storefront
`;

describe('setEntityAnnotations', () => {
  it('updates existing annotations in place and appends new ones, editing only the entity’s document', () => {
    const { text, changed } = setEntityAnnotations(multiDocument, storefront, {
      'slack.com/bot-notify': '#shop-previews',
      'opshub.dev/health-url': 'https://shop.example.com/healthz',
    });
    expect(changed).toBe(true);
    expect(text).toBe(
      multiDocument
        .replace('bot-notify: old-channel', 'bot-notify: "#shop-previews"')
        .replace(
          '"#shop-previews"\n',
          '"#shop-previews"\n    opshub.dev/health-url: https://shop.example.com/healthz\n',
        ),
    );
  });

  it('creates the annotations map at the end of metadata when it is missing', () => {
    const source = `kind: Component
metadata:
  name: storefront
  # about the shop
  description: The shop
spec:
  type: service
`;
    const { text } = setEntityAnnotations(source, storefront, {
      'opshub.dev/preview-provider': 'vercel',
      'vercel.com/project-id': 'prj_1',
    });
    expect(text).toBe(`kind: Component
metadata:
  name: storefront
  # about the shop
  description: The shop
  annotations:
    opshub.dev/preview-provider: vercel
    vercel.com/project-id: prj_1
spec:
  type: service
`);
  });

  it('keeps a file without a final newline without one', () => {
    const source =
      'kind: Component\nmetadata:\n  name: storefront\n  annotations:\n    a: b';
    expect(setEntityAnnotations(source, storefront, { c: 'd' }).text).toBe(
      `${source}\n    c: d`,
    );
  });

  it('changes nothing when every value is already set', () => {
    const { text, changed } = setEntityAnnotations(multiDocument, storefront, {
      'github.com/project-slug': 'acme/storefront',
    });
    expect(changed).toBe(false);
    expect(text).toBe(multiDocument);
  });

  it('matches kind and namespace (default when unset) case-insensitively', () => {
    const api = { kind: 'api', namespace: 'default', name: 'storefront' };
    const { text } = setEntityAnnotations(multiDocument, api, { a: 'b' });
    expect(text).toBe(`${multiDocument}  annotations:\n    a: b\n`);
    expect(() =>
      setEntityAnnotations(
        multiDocument,
        { ...storefront, namespace: 'shop' },
        { a: 'b' },
      ),
    ).toThrow(
      'No YAML document in the file describes Component:shop/storefront',
    );
  });

  it('re-serializes only the entity’s document when its annotations are a flow map', () => {
    const other = '# first\nkind: Group\nmetadata:\n  name: shop-team\n';
    const source = `${other}---\n# shop\nkind: Component\nmetadata: { name: storefront, annotations: { a: b } }\n`;
    const { text } = setEntityAnnotations(source, storefront, { c: 'd' });
    expect(text.startsWith(`${other}---\n# shop\n`)).toBe(true);
    expect(text).toContain('annotations: { a: b, c: d }');
  });
});
