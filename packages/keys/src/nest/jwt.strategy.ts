import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { JWTPayload } from 'jose';
import type { AccessTokenPrincipal, Verifier } from '../verify';
import { VERIFIER } from './tokens';

/**
 * passport-jwt, configured by the app's verifier. jsonwebtoken checks the signature, `exp`, `nbf`,
 * `iss` and `aud` with the algorithm pinned; it checks neither `typ` nor `crit`, so the verifier's
 * `resolveKey` checks the protected header before it hands over the key its `kid` names.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(VERIFIER) private readonly verifier: Verifier) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (_request: unknown, rawJwt: string, done: (error: unknown, key?: string | Buffer) => void) => {
        verifier.resolveKey(rawJwt).then(
          // @types/passport-jwt lists string | Buffer; jsonwebtoken 9 takes a KeyObject, parsed once, too.
          (key: KeyObject) => done(null, key as unknown as Buffer),
          (error: unknown) => done(error),
        );
      },
      algorithms: verifier.policy.algorithms,
      issuer: verifier.policy.issuer,
      audience: verifier.policy.audience,
      jsonWebTokenOptions: { clockTolerance: verifier.policy.clockTolerance },
    });
  }

  validate(payload: JWTPayload): AccessTokenPrincipal {
    return this.verifier.checkClaims(payload);
  }
}
