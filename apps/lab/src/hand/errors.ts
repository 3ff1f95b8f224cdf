/**
 * Why a hand tool refused or failed, and the exit status each means: 2 when the command line or its input is
 * wrong (the user can fix it by typing something else), 1 when it cannot be done as things are (nothing runs).
 */
export const HAND_ERRORS = {
  /** A wrong command line: an unknown subcommand or option, a missing or invalid value. */
  ERR_HAND_USAGE: 2,
  /** A file that cannot be read, or is not a loot file. */
  ERR_HAND_LOOT_FILE: 2,
  /** A loot that holds no key that signs, or not the one named by `--kid`, or several and none named. */
  ERR_HAND_SIGNING_KEY: 2,
  /** Input that is not a compact JWS. */
  ERR_HAND_MALFORMED_TOKEN: 2,
  /** No `npm start` stack runs, or the app's process in it is gone. */
  ERR_HAND_NO_STACK: 1,
  /** Docker does not answer, or no compose stack from the repository's folder runs the app. */
  ERR_HAND_COMPOSE: 1,
  /** The app's process or container cannot be read, or a file cannot be written. */
  ERR_HAND_IO: 1,
} as const;

export type HandErrorCode = keyof typeof HAND_ERRORS;

/**
 * An error of the lab's hand tools: a message of one line (never a secret, never a whole token) and a code
 * from {@link HAND_ERRORS}, which gives the command's exit status.
 *
 * @example
 * throw new HandError('ERR_HAND_NO_STACK', 'no npm start stack is running: start one with npm start');
 */
export class HandError extends Error {
  override readonly name = 'HandError';

  constructor(
    readonly code: HandErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** The exit status a command ends with for this error. */
  get exitStatus(): 1 | 2 {
    return HAND_ERRORS[this.code];
  }
}
