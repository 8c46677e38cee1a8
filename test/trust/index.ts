// Entry point of the workspace trust suite (`npm test` stage `trust`): the same runner as the
// integration tests. Bundled into out/test/trust/index.js, where its __dirname makes it run
// the *.test.js files of this folder only.
export { run } from '../integration/index';
