export { Principal, Public, Roles } from './decorators';
export { JwtAuthGuard } from './jwt-auth.guard';
export { JwtStrategy } from './jwt.strategy';
export { runStrategy, type PassportStrategyLike } from './run-strategy';
export { KeysModule, type KeysModuleOptions } from './keys.module';
export { RolesGuard } from './roles.guard';
export { KEY_STORE, SIGNER, VERIFIER } from './tokens';
export { WellKnownController, type WellKnownOptions } from './well-known.controller';
