import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { opshubPermissions } from './permissions';
import {
  highestRole,
  minimumRoleFor,
  OPSHUB_PERMISSION_ROLES,
  OPSHUB_ROLES,
  permissionRoleTable,
  roleAtLeast,
} from './roles';

describe('OpsHub roles', () => {
  it('gives every OpsHub permission, and nothing else, a minimum role', () => {
    expect(Object.keys(OPSHUB_PERMISSION_ROLES).sort()).toEqual(
      opshubPermissions.map(p => p.name).sort(),
    );
    expect(minimumRoleFor('catalog.entity.read')).toBeUndefined();
    expect(minimumRoleFor('toString')).toBeUndefined();
  });

  it('orders roles from viewer to owner', () => {
    expect(roleAtLeast('owner', 'viewer')).toBe(true);
    expect(roleAtLeast('developer', 'developer')).toBe(true);
    expect(roleAtLeast('developer', 'maintainer')).toBe(false);
    expect(roleAtLeast(undefined, 'viewer')).toBe(false);
    expect(highestRole(['developer', undefined, 'maintainer', 'viewer'])).toBe(
      'maintainer',
    );
    expect(highestRole([])).toBeUndefined();
  });

  it('keeps secret values and role management away from the lower roles', () => {
    const holders = (permission: string) =>
      OPSHUB_ROLES.filter(role =>
        roleAtLeast(role, OPSHUB_PERMISSION_ROLES[permission]),
      );
    expect(holders('opshub.envvar.read')).toEqual(OPSHUB_ROLES);
    expect(holders('opshub.envvar.reveal')).toEqual(['maintainer', 'owner']);
    expect(holders('opshub.envvar.write')).toEqual([
      'developer',
      'maintainer',
      'owner',
    ]);
    expect(holders('opshub.preview.approve')).toEqual(['maintainer', 'owner']);
    expect(holders('opshub.role.manage')).toEqual(['owner']);
  });

  it('matches the table the README prints', () => {
    const readme = readFileSync(
      resolve(__dirname, '../../../README.md'),
      'utf8',
    );
    const section = readme.split(/^## /m).find(s => s.startsWith('Roles\n'));
    const rows = (section ?? '')
      .split('\n')
      .filter(line => /^\| `opshub\./.test(line))
      .map(line =>
        line
          .split('|')
          .slice(1, -1)
          .map(cell => cell.trim()),
      );
    expect(rows).toEqual(
      permissionRoleTable().map(({ permission, roles }) => [
        `\`${permission}\``,
        ...OPSHUB_ROLES.map(role => (roles[role] ? '✓' : '')),
      ]),
    );
  });
});
