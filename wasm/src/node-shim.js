// --extern-pre-js of the ES-module glue. Emscripten 3.1.6's Node branch reads `__dirname` and calls
// `require`, neither of which exists in an ES module. The JS layer (index.js) always hands the glue
// the wasm bytes in Node, so these only keep that branch from throwing; declaring `require` here
// also stops bundlers from treating the glue's require("fs") calls as imports of Node modules.
var SI_NODE_ESM = typeof process == 'object' && typeof process.versions == 'object' && !!process.versions.node &&
    import.meta.url.startsWith('file:');
var __dirname = SI_NODE_ESM ? decodeURIComponent(new URL('.', import.meta.url).pathname) : '';
var require =
    SI_NODE_ESM && typeof process.getBuiltinModule == 'function' ? (id) => process.getBuiltinModule(id) : () => {
      throw new Error('si-core.mjs: pass wasmBinary to the factory in Node (index.js does)');
    };
