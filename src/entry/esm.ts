/** The loader bin/apidoctor.js lends the CLI for import(); see importEsm. */
declare global {
  var __apidoctorImport: ((specifier: string) => Promise<unknown>) | undefined;
}

/**
 * import() of an ES module (ora; a config file). bin/apidoctor.js compiles the CLI with
 * vm.Script, for V8's code cache, and an import() there has no module loader to go to: the bin lends
 * its own, an import() in a real CommonJS module next to dist/. Anywhere else (tests, tsx) this is
 * a plain import().
 */
export function importEsm<T = Record<string, unknown>>(specifier: string): Promise<T> {
  const lent = globalThis.__apidoctorImport;
  return (lent ? lent(specifier) : import(specifier)) as Promise<T>;
}
