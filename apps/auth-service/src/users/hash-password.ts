#!/usr/bin/env node
import { hashPassword } from './password';

// Prints the hash of a password for seed/users.json. Reads the password from standard input so that
// it never lands in the shell history: `echo -n 'secret' | npm run hash-password -w auth-service`.
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => {
  void hashPassword(input.replace(/\r?\n$/, '')).then((hash) => process.stdout.write(`${hash}\n`));
});
