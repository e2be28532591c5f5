import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import type {
  OpsHubEnvVar,
  OpsHubEnvVarImportResult,
  OpsHubEnvVarVersion,
} from '@opshub/plugin-opshub-common';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { type OpsHubApi, opshubApiRef } from '../../api/OpsHubApi';
import { fakeOpsHubApi } from '../../__testUtils__/fakeOpsHubApi';
import { EnvVarsCard } from './EnvVarsCard';

const entityRef = { kind: 'Component', namespace: 'default', name: 'web' };

function envVar(overrides: Partial<OpsHubEnvVar>): OpsHubEnvVar {
  return {
    environment: 'production',
    name: 'API_URL',
    branch: null,
    sensitive: false,
    value: '••••.com',
    version: 1,
    updatedBy: 'user:default/alice',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...overrides,
  };
}

const plaintexts: Record<string, string> = {
  API_URL: 'https://api.example.com',
};

/** A backend holding `vars`, recording every change. */
function fakeApi(vars: OpsHubEnvVar[], overrides: Partial<OpsHubApi> = {}) {
  const api = fakeOpsHubApi({
    listEnvVars: jest.fn(async () => vars.map(v => ({ ...v }))),
    setEnvVar: jest.fn(async (_e, key, change) => {
      const item = envVar({
        environment: key.environment,
        name: key.name,
        branch: key.branch ?? null,
        sensitive: !!change.sensitive,
        value: change.sensitive ? '••••' : `••••${change.value.slice(-4)}`,
      });
      vars.push(item);
      return { item, created: true };
    }),
    deleteEnvVar: jest.fn(async (_e, key) => {
      const i = vars.findIndex(v => v.name === key.name);
      return vars.splice(i, 1)[0];
    }),
    revealEnvVar: jest.fn(async (_e, key) => plaintexts[key.name]),
    listEnvVarVersions: jest.fn(
      async (): Promise<OpsHubEnvVarVersion[]> => [
        {
          version: 1,
          actor: 'user:default/alice',
          createdAt: '2026-11-30T10:00:00.000Z',
          comment: 'first',
          deleted: false,
        },
        {
          version: 2,
          actor: 'user:default/bob',
          createdAt: '2026-12-01T10:00:00.000Z',
          comment: null,
          deleted: false,
        },
      ],
    ),
    restoreEnvVarVersion: jest.fn(async (_e, key) =>
      envVar({ name: key.name, version: 3 }),
    ),
    importEnvVars: jest.fn(
      async (_e, _env, text: string): Promise<OpsHubEnvVarImportResult> => ({
        created: 1,
        updated: 0,
        unchanged: 0,
        errors: text.includes('bad')
          ? [{ line: 2, name: 'bad', reason: 'invalid name' }]
          : [],
      }),
    ),
    exportEnvVars: jest.fn(async () => 'API_URL=https://api.example.com\n'),
    ...overrides,
  });
  return api;
}

const maintainer = {
  'opshub.envvar.read': true,
  'opshub.envvar.write': true,
  'opshub.envvar.write.production': true,
  'opshub.envvar.reveal': true,
};

async function renderCard(
  api: OpsHubApi,
  permissions: Record<string, boolean> = maintainer,
) {
  await renderInTestApp(
    <TestApiProvider apis={[[opshubApiRef, api]]}>
      <EnvVarsCard entityRef={entityRef} permissions={permissions} />
    </TestApiProvider>,
  );
}

const row = (label: string) => screen.findByTestId(`envvar-${label}`);

jest.setTimeout(30_000);
describe('EnvVarsCard', () => {
  afterEach(() => jest.useRealTimers());

  it('shows a tab per environment, custom ones too, and the masked table', async () => {
    await renderCard(
      fakeApi([
        envVar({}),
        envVar({
          name: 'TOKEN',
          sensitive: true,
          value: '••••',
          version: 4,
          updatedBy: 'user:default/bob',
        }),
        envVar({ environment: 'preview', name: 'API_URL', branch: 'feat-x' }),
        envVar({ environment: 'staging', name: 'LOG_LEVEL', value: '••••' }),
      ]),
    );

    const token = within(await row('TOKEN'));
    const tabs = within(screen.getByRole('tablist')).getAllByRole('tab');
    expect(tabs.map(t => t.textContent)).toEqual([
      'production',
      'preview',
      'development',
      'staging',
    ]);
    expect(token.getByLabelText('Value of TOKEN')).toHaveTextContent(/^••••$/);
    expect(token.getByText('sensitive')).toBeInTheDocument();
    expect(token.getByText('4')).toBeInTheDocument();
    expect(token.getByText(/user:default\/bob/)).toBeInTheDocument();
    expect(
      within(await row('API_URL')).getByText('••••.com'),
    ).toBeInTheDocument();
    expect(screen.queryByText('LOG_LEVEL')).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('tab', { name: 'preview' }));
    const override = within(await row('API_URL (feat-x)'));
    expect(override.getByText('feat-x')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('tab', { name: 'development' }));
    expect(
      await screen.findByText('No variables in development yet.'),
    ).toBeInTheDocument();
  });

  it('says how to configure a key when the backend has none (503)', async () => {
    const noKey = Object.assign(new Error('No encryption key is configured'), {
      response: { status: 503 },
    });
    await renderCard(
      fakeApi([], {
        listEnvVars: async () => {
          throw noKey;
        },
      }),
    );

    expect(
      await screen.findByText(/no encryption key is configured/i, {
        selector: '*:not(code)',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('opshub.encryption.keys')).toBeInTheDocument();
    expect(screen.getByText('OPSHUB_ENCRYPTION_KEY')).toBeInTheDocument();
    expect(screen.queryByRole('tablist')).not.toBeInTheDocument();
  });

  it('adds a variable through the dialog, sensitive if asked', async () => {
    const api = fakeApi([]);
    await renderCard(api);

    fireEvent.click(
      await screen.findByRole('button', { name: 'Add variable' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    fireEvent.change(dialog.getByLabelText('Name'), {
      target: { value: 'bad-name' },
    });
    expect(dialog.getByRole('button', { name: 'Save' })).toBeDisabled();
    fireEvent.change(dialog.getByLabelText('Name'), {
      target: { value: 'DB_PASSWORD' },
    });
    fireEvent.change(dialog.getByLabelText('Value'), {
      target: { value: 'hunter2-hunter2' },
    });
    fireEvent.change(dialog.getByLabelText('Comment'), {
      target: { value: 'initial' },
    });
    fireEvent.click(dialog.getByLabelText('Sensitive'));
    // No branch overrides outside preview.
    expect(dialog.queryByLabelText('Branch override')).not.toBeInTheDocument();
    fireEvent.click(dialog.getByRole('button', { name: 'Save' }));

    await waitFor(() =>
      expect(api.setEnvVar).toHaveBeenCalledWith(
        entityRef,
        { environment: 'production', name: 'DB_PASSWORD', branch: null },
        { value: 'hunter2-hunter2', sensitive: true, comment: 'initial' },
      ),
    );
    const added = within(await row('DB_PASSWORD'));
    expect(added.getByText('sensitive')).toBeInTheDocument();
    expect(screen.queryByText(/hunter2/)).not.toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('adds a branch override in preview', async () => {
    const api = fakeApi([]);
    await renderCard(api);

    fireEvent.click(await screen.findByRole('tab', { name: 'preview' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add variable' }));
    const dialog = within(await screen.findByRole('dialog'));
    fireEvent.change(dialog.getByLabelText('Name'), {
      target: { value: 'API_URL' },
    });
    fireEvent.change(dialog.getByLabelText('Value'), {
      target: { value: 'https://feat.example.com' },
    });
    fireEvent.change(dialog.getByLabelText('Branch override'), {
      target: { value: 'feat-x' },
    });
    fireEvent.click(dialog.getByRole('button', { name: 'Save' }));

    await waitFor(() =>
      expect(api.setEnvVar).toHaveBeenCalledWith(
        entityRef,
        { environment: 'preview', name: 'API_URL', branch: 'feat-x' },
        { value: 'https://feat.example.com' },
      ),
    );
  });

  it('edits a sensitive variable without letting it stop being sensitive', async () => {
    await renderCard(
      fakeApi([envVar({ name: 'TOKEN', sensitive: true, value: '••••' })]),
    );

    fireEvent.click(await screen.findByRole('button', { name: 'Edit TOKEN' }));
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByLabelText('Name')).toBeDisabled();
    expect(dialog.getByLabelText('Name')).toHaveValue('TOKEN');
    expect(dialog.getByLabelText('New value')).toHaveValue('');
    expect(dialog.getByLabelText('Sensitive')).toBeChecked();
    expect(dialog.getByLabelText('Sensitive')).toBeDisabled();
  });

  it('reveals a value and masks it again after 30 s', async () => {
    const api = fakeApi([envVar({})]);
    await renderCard(api);
    const value = within(await row('API_URL')).getByLabelText(
      'Value of API_URL',
    );

    jest.useFakeTimers();
    fireEvent.click(screen.getByRole('button', { name: 'Reveal API_URL' }));
    await waitFor(() =>
      expect(value).toHaveTextContent('https://api.example.com'),
    );
    expect(api.revealEnvVar).toHaveBeenCalledWith(entityRef, {
      environment: 'production',
      name: 'API_URL',
      branch: null,
    });

    act(() => jest.advanceTimersByTime(29_000));
    expect(value).toHaveTextContent('https://api.example.com');
    act(() => jest.advanceTimersByTime(1_000));
    expect(value).toHaveTextContent(/^••••\.com$/);
    expect(
      screen.getByRole('button', { name: 'Reveal API_URL' }),
    ).toBeInTheDocument();
  });

  it('masks a revealed value again on demand', async () => {
    await renderCard(fakeApi([envVar({})]));

    fireEvent.click(
      await screen.findByRole('button', { name: 'Reveal API_URL' }),
    );
    fireEvent.click(
      await screen.findByRole('button', { name: 'Hide API_URL' }),
    );
    expect(screen.getByLabelText('Value of API_URL')).toHaveTextContent(
      '••••.com',
    );
  });

  it('offers no reveal or export without the permission, and none for sensitive values', async () => {
    await renderCard(
      fakeApi([envVar({}), envVar({ name: 'TOKEN', sensitive: true })]),
      { ...maintainer, 'opshub.envvar.reveal': false },
    );
    await row('API_URL');
    expect(
      screen.queryByRole('button', { name: /^Reveal/ }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Export' }),
    ).not.toBeInTheDocument();
  });

  it('offers no reveal of a sensitive value even with the permission', async () => {
    await renderCard(fakeApi([envVar({ name: 'TOKEN', sensitive: true })]));
    await row('TOKEN');
    expect(
      screen.queryByRole('button', { name: 'Reveal TOKEN' }),
    ).not.toBeInTheDocument();
  });

  it('offers no changes to production without its write permission', async () => {
    await renderCard(fakeApi([envVar({})]), {
      'opshub.envvar.read': true,
      'opshub.envvar.write': true,
    });
    await row('API_URL');
    expect(
      screen.queryByRole('button', { name: 'Add variable' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Delete API_URL' }),
    ).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('tab', { name: 'development' }));
    expect(
      await screen.findByRole('button', { name: 'Add variable' }),
    ).toBeInTheDocument();
  });

  it('deletes a variable only once confirmed', async () => {
    const api = fakeApi([envVar({})]);
    await renderCard(api);

    fireEvent.click(
      await screen.findByRole('button', { name: 'Delete API_URL' }),
    );
    let dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByText('Delete API_URL from production?')).toBeVisible();
    fireEvent.click(dialog.getByRole('button', { name: 'Cancel' }));
    expect(api.deleteEnvVar).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Delete API_URL' }));
    dialog = within(await screen.findByRole('dialog'));
    fireEvent.click(dialog.getByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(api.deleteEnvVar).toHaveBeenCalledWith(entityRef, {
        environment: 'production',
        name: 'API_URL',
        branch: null,
      }),
    );
    expect(
      await screen.findByText('No variables in production yet.'),
    ).toBeInTheDocument();
  });

  it('lists versions in a drawer and restores an earlier one', async () => {
    const api = fakeApi([envVar({ version: 2 })]);
    await renderCard(api);

    fireEvent.click(
      await screen.findByRole('button', { name: 'Versions of API_URL' }),
    );
    const drawer = within(
      await screen.findByRole('region', { name: 'Versions' }),
    );
    expect(await drawer.findByText('Version 2 (current)')).toBeInTheDocument();
    expect(
      drawer.getByText(/user:default\/alice, .*: first/),
    ).toBeInTheDocument();
    expect(
      drawer.queryByRole('button', { name: 'Restore version 2' }),
    ).not.toBeInTheDocument();
    fireEvent.click(drawer.getByRole('button', { name: 'Restore version 1' }));

    await waitFor(() =>
      expect(api.restoreEnvVarVersion).toHaveBeenCalledWith(
        entityRef,
        { environment: 'production', name: 'API_URL', branch: null },
        1,
      ),
    );
  });

  it('imports a .env only after a clean dry run, showing the bad lines', async () => {
    const api = fakeApi([]);
    await renderCard(api);

    fireEvent.click(await screen.findByRole('button', { name: 'Import' }));
    const dialog = within(await screen.findByRole('dialog'));
    const importButton = () => dialog.getByRole('button', { name: 'Import' });
    expect(importButton()).toBeDisabled();

    fireEvent.change(dialog.getByLabelText('.env contents'), {
      target: { value: 'A=1\nbad=2\n' },
    });
    fireEvent.click(dialog.getByRole('button', { name: 'Check' }));
    expect(
      await dialog.findByText(/line 2 \(bad\): invalid name/),
    ).toBeInTheDocument();
    expect(api.importEnvVars).toHaveBeenLastCalledWith(
      entityRef,
      'production',
      'A=1\nbad=2\n',
      { dryRun: true },
    );
    expect(importButton()).toBeDisabled();

    fireEvent.change(dialog.getByLabelText('.env contents'), {
      target: { value: 'A=1\nB=2\n' },
    });
    // A changed text needs a new dry run.
    expect(importButton()).toBeDisabled();
    fireEvent.click(dialog.getByRole('button', { name: 'Check' }));
    expect(
      await dialog.findByText(/Dry run: 1 to create, 0 to update, 0 unchanged/),
    ).toBeInTheDocument();
    await waitFor(() => expect(importButton()).toBeEnabled());
    fireEvent.click(importButton());

    await waitFor(() =>
      expect(api.importEnvVars).toHaveBeenLastCalledWith(
        entityRef,
        'production',
        'A=1\nB=2\n',
        { dryRun: false },
      ),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('reads the .env to import from a file', async () => {
    await renderCard(fakeApi([]));

    fireEvent.click(await screen.findByRole('button', { name: 'Import' }));
    const file = new File(['FROM_FILE=1\n'], 'app.env', { type: 'text/plain' });
    Object.defineProperty(file, 'text', {
      value: async () => 'FROM_FILE=1\n',
    });
    fireEvent.change(screen.getByTestId('opshub-envvar-import-file'), {
      target: { files: [file] },
    });
    await waitFor(() =>
      expect(screen.getByLabelText('.env contents')).toHaveValue(
        'FROM_FILE=1\n',
      ),
    );
  });

  it('exports an environment as a .env download', async () => {
    const api = fakeApi([envVar({})]);
    const createObjectURL = jest.fn((_blob: Blob) => 'blob:opshub-export');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function checkDownload(this: HTMLAnchorElement) {
        expect(this.download).toBe('web.production.env');
        expect(this.href).toBe('blob:opshub-export');
      });
    try {
      await renderCard(api);
      fireEvent.click(await screen.findByRole('button', { name: 'Export' }));

      await waitFor(() => expect(click).toHaveBeenCalled());
      expect(api.exportEnvVars).toHaveBeenCalledWith(entityRef, 'production');
      expect(revokeObjectURL).toHaveBeenCalledWith('blob:opshub-export');
    } finally {
      click.mockRestore();
    }
  });
});
