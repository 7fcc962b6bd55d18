// Preloaded into the Electronegativity process (node --require). Electronegativity 1.10 writes its
// CSV report as two concurrent fs.writeFile calls (the header, then the rows with flag 'a'), so on a
// busy machine the rows can land before, or in the middle of, the header. Writing synchronously
// (the callback still runs asynchronously, as callers expect) keeps the two writes in call order.
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a --require preload is CommonJS
const fs = require('node:fs');

fs.writeFile = function writeFileInOrder(file, data, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  let error = null;
  try {
    fs.writeFileSync(file, data, options);
  } catch (e) {
    error = e;
  }
  if (typeof callback === 'function') process.nextTick(callback, error);
};
