// The package ships no types; expr-check.ts describes the part it uses.
declare module 'pg-query-emscripten' {
  const init: () => Promise<unknown>;
  export default init;
}
