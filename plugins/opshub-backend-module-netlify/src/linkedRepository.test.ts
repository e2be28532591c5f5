import { linkedRepositoryOf } from './linkedRepository';

describe('linkedRepositoryOf', () => {
  it.each([
    [{ repo_url: 'https://github.com/acme/web' }, 'acme/web'],
    [{ repo_url: 'https://www.github.com/Acme/Web/' }, 'Acme/Web'],
    [{ repo_url: 'https://github.com/acme/web.git' }, 'acme/web'],
    [{ repo_url: 'git@github.com:acme/web.git' }, 'acme/web'],
    [{ repo_url: 'ssh://git@github.com/acme/web.git' }, 'acme/web'],
    [{ provider: 'GitHub', repo_path: 'acme/web' }, 'acme/web'],
    [{ repo_url: 'not a url', repo_path: 'acme/web' }, 'acme/web'],
  ])('reads %j as GitHub repository %s', (settings, github) => {
    expect(linkedRepositoryOf(settings)).toEqual({
      githubRepository: github,
      description: `GitHub repository ${github}`,
    });
  });

  it.each([
    [
      { provider: 'bitbucket', repo_url: 'https://bitbucket.org/acme/web' },
      'Bitbucket repository https://bitbucket.org/acme/web',
    ],
    [
      { repo_url: 'https://gitlab.com/acme/web' },
      'repository https://gitlab.com/acme/web (not on GitHub)',
    ],
    [
      { repo_url: 'https://github.com/acme' },
      'repository https://github.com/acme',
    ],
    [{ repo_path: 'acme/web/extra' }, 'repository acme/web/extra'],
    [
      { repo_url: 'https://oauth2:glpat-secret@gitlab.example.com/acme/web' },
      'repository https://gitlab.example.com/acme/web (not on GitHub)',
    ],
  ])('names %j as %s, not as a GitHub repository', (settings, description) => {
    expect(linkedRepositoryOf(settings)).toEqual({ description });
  });

  it('finds no link in empty settings', () => {
    expect(linkedRepositoryOf(undefined)).toEqual({});
    expect(linkedRepositoryOf({})).toEqual({});
    expect(linkedRepositoryOf({ repo_url: ' ', repo_path: null })).toEqual({});
  });
});
