// The package ships no types; expr-check.ts describes the part it uses. Its WebAssembly build is the one
// used: it loads in less time than the default asm.js build (about 0.18 s against 0.22 s, mostly compiling
// 2.5 MB of JavaScript on this thread) and parses about a third faster.
declare module 'pg-query-emscripten/pg_query_wasm.js' {
  const init: () => Promise<unknown>;
  export default init;
}
