// --extern-pre-js for the ES-module glue: Emscripten 3.1.6's Node branch reads `__dirname`, which
// ES modules do not define (the JS layer always passes wasmBinary in Node, so it is only a default).
var __dirname = typeof process == "object" && typeof process.versions == "object" && process.versions.node && import.meta.url.startsWith("file:") ? decodeURIComponent(new URL(".", import.meta.url).pathname) : "";
