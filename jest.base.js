// One jest setup for every workspace: TypeScript through SWC, and jose (ESM-only) compiled by the
// same transformer, since jest's loader cannot require() an ES module on Node 20.
module.exports = {
  testEnvironment: 'node',
  // A test's own work decides its verdict, never the machine's speed: this only stops a hung test, and is
  // generous enough for a shared machine of two cores with both of them busy.
  testTimeout: 120_000,
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};
