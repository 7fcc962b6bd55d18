// Seeded demo accounts (the README's account table, the demo and the tests rely on these; the On-Call
// simulator seeds a matching `carol`).
// Passwords equal usernames: this IdP is for development and tests only.
import type { Account, FindAccount } from 'oidc-provider';

export interface DemoAccount {
  username: string;
  name: string;
  email: string;
  groups: string[];
  password: string;
}

const seed: [username: string, name: string, groups: string[]][] = [
  ['alice', 'Alice Andersen', ['sre', 'staff']],
  ['bob', 'Bob Brown', ['staff']],
  ['carol', 'Carol Okafor', ['sre']],
  ['eve', 'Eve Evans', []],
];

export function demoAccounts(): DemoAccount[] {
  return seed.map(([username, name, groups]) => ({
    username,
    name,
    email: `${username}@klaxon.test`,
    groups: [...groups],
    password: username,
  }));
}

/** Every claim an account can release; oidc-provider filters them by granted scope/claims. */
export function accountClaims(a: DemoAccount): Record<string, unknown> & { sub: string } {
  return {
    sub: a.username,
    name: a.name,
    preferred_username: a.username,
    email: a.email,
    email_verified: true,
    groups: [...a.groups],
  };
}

export function accountFinder(accounts: DemoAccount[]): FindAccount {
  return async (_ctx, sub): Promise<Account | undefined> => {
    const a = accounts.find((x) => x.username === sub);
    if (!a) return undefined;
    return { accountId: a.username, claims: async () => accountClaims(a) };
  };
}

/** Constant-time-ish check; returns the account or undefined (never says which part was wrong). */
export function checkPassword(accounts: DemoAccount[], username: string, password: string): DemoAccount | undefined {
  const a = accounts.find((x) => x.username === username.trim().toLowerCase());
  return a && a.password === password ? a : undefined;
}
