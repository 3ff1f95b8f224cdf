import { refusalOf } from './guard';

describe('refusalOf', () => {
  const port = 3080;

  it.each([
    ['its page by number', 'GET', { host: '127.0.0.1:3080' }],
    ['its page as localhost', 'GET', { host: 'localhost:3080' }],
    ['a fetch from its page', 'GET', { host: '127.0.0.1:3080', origin: 'http://127.0.0.1:3080', 'sec-fetch-site': 'same-origin' }],
    ['an address typed by the user', 'GET', { host: '127.0.0.1:3080', 'sec-fetch-site': 'none' }],
    ['a POST from its page', 'POST', { host: 'localhost:3080', origin: 'http://localhost:3080' }],
  ])('answers %s', (_what, method, headers) => {
    expect(refusalOf(method, headers, port)).toBeUndefined();
  });

  it.each([
    ['no Host', 'GET', {}, 'foreign Host'],
    ['a rebound name', 'GET', { host: 'evil.example:3080' }, 'foreign Host'],
    ['another port', 'GET', { host: '127.0.0.1:3081' }, 'foreign Host'],
    ['another loopback address', 'GET', { host: '127.0.0.2:3080' }, 'foreign Host'],
    ['the address without its port', 'GET', { host: '127.0.0.1' }, 'foreign Host'],
    ['another origin', 'GET', { host: '127.0.0.1:3080', origin: 'http://evil.example' }, 'foreign Origin'],
    ['the other spelling of its origin', 'POST', { host: '127.0.0.1:3080', origin: 'http://localhost:3080' }, 'foreign Origin'],
    ['an opaque origin', 'POST', { host: '127.0.0.1:3080', origin: 'null' }, 'foreign Origin'],
    ['https', 'POST', { host: '127.0.0.1:3080', origin: 'https://127.0.0.1:3080' }, 'foreign Origin'],
    ['a cross-site load', 'GET', { host: '127.0.0.1:3080', 'sec-fetch-site': 'cross-site' }, 'a cross-site request'],
    ['a same-site load', 'GET', { host: '127.0.0.1:3080', 'sec-fetch-site': 'same-site' }, 'a same-site request'],
    ['a POST without Origin', 'POST', { host: '127.0.0.1:3080' }, 'a POST without Origin'],
  ])('refuses %s', (_what, method, headers, why) => {
    expect(refusalOf(method, headers, port)).toBe(why);
  });
});
