import type { Variant } from './expected';

/** The reports in docs/ that the lab generates, and the command that generates each. */
export const DOCS_REPORTS: Readonly<Record<Variant, { readonly file: string; readonly command: string }>> = {
  secure: { file: 'docs/blast-radius.md', command: 'npm run demo -- --markdown docs/blast-radius.md' },
  'no-audience-check': {
    file: 'docs/no-audience-check.md',
    command: 'npm run demo -- --insecure no-audience-check --markdown docs/no-audience-check.md',
  },
};
