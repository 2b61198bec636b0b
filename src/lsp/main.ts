/** Entry point for `npx tsx src/lsp/main.ts --stdio` (tests and editors before `mtl lsp` is built). */
import { startServer } from './server.js';

startServer();
