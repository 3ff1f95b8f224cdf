import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { KeyObject } from 'node:crypto';
import { Strategy } from 'passport-jwt';
import { KeysError } from '../errors';
import { decodeClaims } from '../token';
import type { AccessTokenPrincipal, Verifier } from '../verify';
import { readBearerRequest, type HttpRequest } from './bearer-request';
import { VERIFIER } from './tokens';

/**
 * passport-jwt, configured by the app's verifier. jsonwebtoken checks the signature, `exp`, `nbf`,
 * `iss` and `aud` with the algorithm pinned; it checks neither `typ` nor `crit`, so the verifier's
 * `resolveKey` checks the protected header before it hands over the key its `kid` names, and the
 * verifier's `checkClaims` checks what jsonwebtoken leaves out (an `iat` ahead of now, one audience).
 * The token, its header and its claims come from the request's one parse (`readBearerRequest`), never
 * from passport-jwt's own extractor, whose regex takes time quadratic in the header's length. The key is
 * a KeyObject imported once (at start-up, or when the JWKS is fetched), never a PEM or a secret string
 * that jsonwebtoken would parse again for every token. The guard runs this strategy itself (see
 * `runStrategy`); registered with passport as `jwt`, it also serves `AuthGuard('jwt')`.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(VERIFIER) private readonly verifier: Verifier) {
    super({
      jwtFromRequest: (request: HttpRequest) => readBearerRequest(request).token ?? null,
      secretOrKeyProvider: (request: HttpRequest, _rawJwt: string, done: (error: unknown, key?: string | Buffer) => void) => {
        const { header } = readBearerRequest(request);
        if (!header) return done(new KeysError('ERR_TOKEN_MALFORMED', 'no protected header'));
        verifier.resolveKey(header).then(
          // @types/passport-jwt lists string | Buffer; jsonwebtoken 9 takes a KeyObject, parsed once, too.
          (key: KeyObject) => done(null, key as unknown as Buffer),
          (error: unknown) => done(error),
        );
      },
      passReqToCallback: true,
      algorithms: verifier.policy.algorithms,
      issuer: verifier.policy.issuer,
      audience: verifier.policy.audience,
      jsonWebTokenOptions: { clockTolerance: verifier.policy.clockToleranceSeconds },
    });
  }

  /** The claims of the verified token, read strictly (no member named twice, valid UTF-8) and checked. */
  validate(request: HttpRequest): AccessTokenPrincipal {
    return this.verifier.checkClaims(decodeClaims(readBearerRequest(request).claimsSegment!));
  }
}
