module.exports = { ...require('../../jest.base.js'), roots: ['<rootDir>/test'], testRegex: '\\.e2e-spec\\.ts$' };
