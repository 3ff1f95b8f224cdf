import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { SettingsError } from '@jwt-blast-radius/service-kit';
import { hashPassword, verifyPassword, type PasswordVerifier } from './password';

export interface DemoUser {
  readonly username: string;
  readonly roles: readonly string[];
}

interface StoredUser extends DemoUser {
  readonly passwordHash: string;
}

/**
 * Reads the seed file of demo users (`[{ username, roles, passwordHash }]`).
 *
 * @example
 * readUsersFile('seed/users.json');
 */
export function readUsersFile(path: string): StoredUser[] {
  let users: unknown;
  try {
    users = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new SettingsError('ERR_SETTINGS_UNREADABLE', 'cannot read the users file as JSON', 'USERS_FILE');
  }
  const valid =
    Array.isArray(users) &&
    users.every(
      (u: Partial<StoredUser>) =>
        typeof u.username === 'string' &&
        Array.isArray(u.roles) &&
        typeof u.passwordHash === 'string' &&
        u.passwordHash.startsWith('scrypt$'),
    );
  if (!valid)
    throw new SettingsError('ERR_SETTINGS_INVALID', 'must be a list of { username, roles, passwordHash } with scrypt hashes', 'USERS_FILE');
  return users as StoredUser[];
}

@Injectable()
export class UsersService {
  // An unknown user is checked against this hash, so that it costs the same time as a known one.
  private readonly decoy = hashPassword(randomBytes(16).toString('hex'));

  constructor(
    private readonly users: readonly StoredUser[],
    private readonly verify: PasswordVerifier = verifyPassword,
  ) {}

  /** The user whose password this is, or undefined: unknown users and wrong passwords look the same. */
  async authenticate(username: string, password: string): Promise<DemoUser | undefined> {
    const user = this.users.find((candidate) => candidate.username === username);
    const ok = await this.verify(password, user?.passwordHash ?? (await this.decoy));
    return user && ok ? { username: user.username, roles: user.roles } : undefined;
  }

  list(): DemoUser[] {
    return this.users.map(({ username, roles }) => ({ username, roles }));
  }
}
