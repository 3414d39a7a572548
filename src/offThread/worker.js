// Piscina starts each worker thread from plain JavaScript; the tasks are TypeScript, read through tsx.
require('tsx/cjs/api').register();

module.exports = require('./tasks.ts');
