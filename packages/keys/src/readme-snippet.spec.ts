import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

// The package README's API snippet is what architects copy: it is type-checked here as a file of this package,
// against the built package and Nest's own types, with the project's strict settings (package.spec.ts also
// compiles and runs it in a fresh app, from the packed tarball).
const SNIPPET = /<!-- api-snippet:start[^>]*-->\n```ts\n([\s\S]*?)```\n<!-- api-snippet:end -->/;

/** The compiler's errors for a source file placed beside this test, one line each. */
function typeErrors(source: string): string[] {
  const file = join(__dirname, 'readme-snippet.ts');
  const config = ts.getParsedCommandLineOfConfigFile(
    join(__dirname, '..', 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  )!;
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  const program = ts.createProgram({ rootNames: [file], options, host });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where =
      diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
    return `${where ? `line ${where.line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}

describe("the package README's API snippet", () => {
  const snippet = SNIPPET.exec(readFileSync(join(__dirname, '..', 'README.md'), 'utf8'))?.[1];

  it('is in the README between its markers', () => {
    expect(snippet).toEqual(expect.stringContaining('KeysModule.forRoot'));
  });

  it('type-checks as written, with the strict settings of this project', () => {
    expect(typeErrors(snippet!)).toEqual([]);
  }, 120_000);

  it('would be caught if it went wrong: the settings handed to Nest where the key ring belongs', () => {
    const wrong = snippet!.replace('AppModule.forRoot(ring)', 'AppModule.forRoot(settings)');
    expect(wrong).not.toEqual(snippet);
    expect(typeErrors(wrong)).toEqual(
      expect.arrayContaining([expect.stringContaining("is not assignable to parameter of type 'KeyRing'")]),
    );
  }, 120_000);
});
