import {
  type FakeProviderApi,
  startFakeGithub,
} from '@opshub/plugin-opshub-node/testUtils';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * The fake GitHub holding one repository (default branch `main`, head
 * `base-sha`) whose files are `files[branch][path]`: contents answer from
 * them (404 like GitHub when missing), branches are created (422 when they
 * exist) and file updates land on their branch. Pull requests get number 12.
 */
export async function startFakeCatalogRepository(
  files: Record<string, Record<string, string>>,
): Promise<FakeProviderApi> {
  const github = await startFakeGithub();
  const repo = '/repos/:owner/:repo';
  const notFound = {
    status: 404,
    body: {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/repos/contents',
    },
  };
  github.route(`GET ${repo}`, ({ params }) => ({
    body: {
      full_name: `${params.owner}/${params.repo}`,
      default_branch: 'main',
    },
  }));
  github.route(`GET ${repo}/contents/:path`, ({ params, query }) => {
    const text = files[query.get('ref') ?? 'main']?.[params.path];
    if (text === undefined) return notFound;
    return {
      body: {
        type: 'file',
        path: params.path,
        sha: `sha-of-${base64(text).length}`,
        content: base64(text),
        encoding: 'base64',
      },
    };
  });
  github.route(`GET ${repo}/git/ref/:ref`, ({ params }) =>
    files[params.ref.replace(/^heads\//, '')]
      ? { body: { ref: `refs/${params.ref}`, object: { sha: 'base-sha' } } }
      : notFound,
  );
  github.route(`POST ${repo}/git/refs`, ({ body }) => {
    const { ref } = body as { ref: string };
    const branch = ref.replace(/^refs\/heads\//, '');
    if (files[branch]) {
      return { status: 422, body: { message: 'Reference already exists' } };
    }
    files[branch] = { ...files.main };
    return { status: 201, body: { ref, object: { sha: 'base-sha' } } };
  });
  github.route(`PUT ${repo}/contents/:path`, ({ params, body }) => {
    const { branch, content } = body as { branch: string; content: string };
    files[branch][params.path] = Buffer.from(content, 'base64').toString(
      'utf8',
    );
    return {
      body: { content: { path: params.path }, commit: { sha: 'commit-sha' } },
    };
  });
  github.route(`POST ${repo}/pulls`, ({ params }) => ({
    status: 201,
    body: {
      number: 12,
      html_url: `https://github.com/${params.owner}/${params.repo}/pull/12`,
    },
  }));
  return github;
}
