// The fresh app's user store, which the package README's issuer leaves to its reader. Two users, whose
// password the test gives in FRESH_APP_PASSWORD (made per run): admin holds the admin role, alice does not.
const ROLES: Readonly<Record<string, readonly string[]>> = { admin: ['admin'], alice: ['user'] };

export async function verifyUser(username: string, password: string): Promise<{ sub: string; roles: string[] } | undefined> {
  const expected = process.env.FRESH_APP_PASSWORD;
  const roles = Object.hasOwn(ROLES, username) ? ROLES[username] : undefined;
  if (!expected || password !== expected || !roles) return undefined;
  return { sub: username, roles: [...roles] };
}
