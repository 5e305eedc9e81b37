/**
 * Autodiff needs gradient functions registered per kernel. tfjs-core's Node entry
 * (tf-core.node.js) ships without them, and its ESM `register_all_gradients` cannot be loaded by
 * Node (extensionless imports). The union package's Node bundle registers every gradient into
 * the same tfjs-core instance, so importing it once is the supported way to train in Node.
 * Importing it also registers the cpu and webgl backends; initBackend chooses explicitly.
 */
import '@tensorflow/tfjs';
