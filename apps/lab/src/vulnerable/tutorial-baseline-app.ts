#!/usr/bin/env node
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Controller, Get, Inject, Injectable, Module, Req, UseGuards, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';

// THE BASELINE TO BEAT, NOT A PATTERN TO COPY. `npm run bench` runs this app beside dashboard-api to show what
// the guard most tutorials show costs: passport-jwt's own Bearer extractor (a regex quadratic in the header's
// length), the key given as a PEM string or a raw secret (jsonwebtoken parses or imports it again on every
// request), and no algorithm, issuer, audience or typ pinned (a token for any audience of the issuer passes).
// It lives in the lab only, and only the bench starts it. Settings: PORT, HOST, and the key in a file,
// JWT_PUBLIC_KEY_FILE (PEM) or JWT_SECRET_FILE (the raw secret's bytes).

const JWT_KEY = Symbol('JWT_KEY');

/** The claims the tutorial's `validate` hands on as `request.user`. */
interface TutorialUser {
  readonly sub: string;
  readonly roles: readonly string[];
}

@Injectable()
class TutorialJwtStrategy extends PassportStrategy(Strategy) {
  constructor(@Inject(JWT_KEY) key: string | Buffer) {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: key });
  }

  validate(payload: TutorialUser): TutorialUser {
    return payload;
  }
}

@Controller()
class TutorialBaselineController {
  @Get('health')
  health() {
    return { status: 'ok', app: 'tutorial-baseline' };
  }

  /** dashboard-api's `/dashboard/summary`, answering the same JSON. */
  @UseGuards(AuthGuard('jwt'))
  @Get('dashboard/summary')
  summary(@Req() request: { user: TutorialUser }) {
    return { app: 'dashboard-api', for: request.user.sub, roles: request.user.roles, items: ['Revenue this week: 42 widgets'] };
  }
}

@Module({})
class TutorialBaselineModule {
  static forRoot(key: string | Buffer): DynamicModule {
    return {
      module: TutorialBaselineModule,
      imports: [PassportModule],
      controllers: [TutorialBaselineController],
      providers: [{ provide: JWT_KEY, useValue: key }, TutorialJwtStrategy],
    };
  }
}

function readKey(env: NodeJS.ProcessEnv): string | Buffer {
  if (env.JWT_PUBLIC_KEY_FILE) return readFileSync(env.JWT_PUBLIC_KEY_FILE, 'utf8');
  if (env.JWT_SECRET_FILE) return readFileSync(env.JWT_SECRET_FILE);
  throw new Error('JWT_PUBLIC_KEY_FILE or JWT_SECRET_FILE: neither is set');
}

async function main(): Promise<void> {
  const app = await NestFactory.create(TutorialBaselineModule.forRoot(readKey(process.env)));
  await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
}

main().catch((error: unknown) => {
  process.stderr.write(`tutorial-baseline: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
