// `npm start`: Loa as the settings ask (server/start.ts does the starting and stopping).
import { runLoa, startLoa } from './start.ts';

await runLoa(async (config, logger) => (await startLoa(config, logger)).stop);
