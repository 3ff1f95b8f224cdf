import * as stackRecord from '../stack-record';

// Loaded with `node --require` by the workshop's generator alone, before the built `npm run lab` command: the command
// reads the record of the stack it acts on from the clone's .logs/stack.json, where a participant's npm start writes
// it, and the generator's stack runs on free ports with its record elsewhere. Pointing the record's path there lets the
// real command run unchanged, printing exactly what a participant sees, without ever touching the clone's own stack.

const file = process.env.EXERCISES_STACK_FILE;
if (!file) throw new Error('EXERCISES_STACK_FILE is not set: this file is for the workshop generator alone');
(stackRecord as { STACK_FILE: string }).STACK_FILE = file;
