/*
 * R9 trust: a catalog annotation is a claim, not a proof. OpsHub runs
 * in-process with the Vercel module, a loopback fake Vercel and a loopback
 * fake GitHub (write-back on), and three entities:
 * - acme/web is verified for `web` (registered from inside it, no
 *   previews), and `intruder`, registered from elsewhere, claims it too,
 *   with a Vercel project it linked to acme/web itself;
 * - `docs`, verified for acme/docs, names the Vercel project of acme/store
 *   (a repository no entity claims);
 * - `shop`, verified for acme/shop with its own project: the control, whose
 *   PR must build and be written back (the counters see what they count).
 * Signed PR events for acme/web and acme/docs must start no build on Vercel
 * and write nothing to acme/web or acme/store on GitHub. (Telling docs' own
 * PRs that its provider project belongs elsewhere, error class
 * `configuration`, is what issue 2/11 asks; those writes go to acme/docs.)
 */
import { startTestBackend } from '@backstage/backend-test-utils';
import { component } from '@opshub/plugin-opshub-backend/src/__testUtils__/rbacBackend';
import { writeBackBackendFeatures } from '@opshub/plugin-opshub-backend/src/__testUtils__/writeBackBackend';
import vercelModule from '@opshub/plugin-opshub-backend-module-vercel';
import {
  githubLink,
  startFakeVercel,
  vercelProject,
} from '@opshub/plugin-opshub-backend-module-vercel/src/__fixtures__/fakeVercel';
import { startFakeGithub } from '@opshub/plugin-opshub-node/testUtils';
import {
  BENCH_WEBHOOK_SECRET,
  deliverPullRequest,
  headShaOf,
} from '../../lib/pullRequestDeliveries';
import { exactly, type Row } from '../row';
import { memoryDatabase } from '../inProcess/memoryDatabase';

const inRepo = (slug: string) =>
  `url:https://github.com/${slug}/blob/main/catalog-info.yaml`;

const previewsIn = (vercelProjectId: string) => ({
  'opshub.dev/preview-provider': 'vercel',
  'vercel.com/project-id': vercelProjectId,
});
const owner = (name: string) => `group:default/${name}`;

const ENTITIES = [
  component('web', owner('web'), 'acme/web'),
  component('intruder', owner('intruder'), 'acme/web', {
    'backstage.io/managed-by-location': inRepo('evil/tools'),
    ...previewsIn('prj_intruder'),
  }),
  component('docs', owner('docs'), 'acme/docs', previewsIn('prj_store')),
  component('shop', owner('shop'), 'acme/shop', previewsIn('prj_shop')),
];

const RUN = `r9-${Date.now()}`;
/** PR numbers per repository: acme/web and acme/docs untrusted, acme/shop the control. */
const PULL_REQUESTS: Record<string, number[]> = {
  'acme/web': [1, 2, 3],
  'acme/docs': [4, 5],
  'acme/shop': [6],
};

const poll = async (until: () => boolean, deadline: number) => {
  while (!until() && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 50));
  }
};

export const row: Row = {
  id: 'R9',
  title: 'trust',
  budgetMs: () => 30_000,
  async run({ log }) {
    const knex = await memoryDatabase();
    const github = await startFakeGithub();
    const vercel = await startFakeVercel();
    vercel.projects.clear();
    vercel.projects.set(
      'prj_intruder',
      vercelProject({
        id: 'prj_intruder',
        name: 'intruder',
        link: githubLink('acme/web'),
      }),
    );
    vercel.projects.set(
      'prj_store',
      vercelProject({
        id: 'prj_store',
        name: 'store',
        link: githubLink('acme/store'),
      }),
    );
    vercel.projects.set(
      'prj_shop',
      vercelProject({
        id: 'prj_shop',
        name: 'shop',
        link: githubLink('acme/shop'),
      }),
    );
    const backend = await startTestBackend({
      features: writeBackBackendFeatures({
        knex,
        entities: ENTITIES,
        githubUrl: github.url,
        webhookSecret: BENCH_WEBHOOK_SECRET,
        opshub: {
          providers: {
            vercel: { token: 'vercel-r9', apiBaseUrl: vercel.url },
          },
        },
        extra: [vercelModule],
      }),
    });
    const url = `http://127.0.0.1:${backend.server.port()}`;
    try {
      const outcomes: string[] = [];
      for (const [repository, numbers] of Object.entries(PULL_REQUESTS)) {
        for (const number of numbers) {
          for (const action of ['opened', 'synchronize']) {
            const answer = await deliverPullRequest(url, {
              action,
              number,
              headSha: headShaOf(RUN, number),
              repository,
            });
            outcomes.push(
              `${repository}#${number} ${action}: ${answer.outcome}`,
            );
          }
        }
      }
      const shaOf = (numbers: number[]) =>
        new Set(numbers.map(n => headShaOf(RUN, n)));
      const untrusted = shaOf([
        ...PULL_REQUESTS['acme/web'],
        ...PULL_REQUESTS['acme/docs'],
      ]);
      const control = shaOf(PULL_REQUESTS['acme/shop']);
      const builds = (shas: Set<string>) =>
        vercel.requests.filter(
          r =>
            r.method === 'POST' &&
            r.path === '/v13/deployments' &&
            shas.has(
              (r.body as { gitSource?: { sha?: string } }).gitSource?.sha ?? '',
            ),
        ).length;
      const writesTo = (repository: string) =>
        github.requests.filter(
          r => r.method !== 'GET' && r.path.startsWith(`/repos/${repository}/`),
        );
      // The control's build and write-back show the pipeline ran; the
      // untrusted PRs had as long, and a while more, to act.
      await poll(
        () => builds(control) > 0 && writesTo('acme/shop').length > 0,
        Date.now() + 15_000,
      );
      const docsPreviews = () =>
        knex('previews').where({ entity_ref: 'component:default/docs' });
      await poll(() => false, Date.now() + 1_000);
      const docs = await docsPreviews().select('state', 'error_class');
      log(outcomes.join('; '));
      log(
        `acme/docs previews: ${docs
          .map(p => `${p.state} (${p.error_class})`)
          .join(', ')}; its GitHub writes: ${
          writesTo('acme/docs')
            .map(r => `${r.method} ${r.path}`)
            .join(', ') || 'none'
        }`,
      );
      const intruderJobs = await knex('jobs')
        .where('key', 'like', '%intruder%')
        .count({ n: '*' });
      log(
        `intruder's jobs: ${intruderJobs[0].n}; control: ${builds(
          control,
        )} build(s), ${writesTo('acme/shop').length} GitHub write(s)`,
      );
      return [
        exactly('builds started', 0, builds(untrusted)),
        exactly(
          'writes to GitHub (claimed or linked repository)',
          0,
          writesTo('acme/web').length + writesTo('acme/store').length,
        ),
        exactly('control: builds of the trusted PR', 1, builds(control)),
        {
          name: 'control: writes for the trusted PR',
          goal: '>= 1',
          result: String(writesTo('acme/shop').length),
          pass: writesTo('acme/shop').length >= 1,
        },
      ];
    } finally {
      await backend.stop();
      await github.close();
      await vercel.close();
      await knex.destroy();
    }
  },
};
