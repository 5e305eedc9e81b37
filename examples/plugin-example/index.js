// Public entry: the method factory and its pure loss, for tests and for other code.
export { alignUniformLoss, exampleAlignMethod } from './align-method.js';
