// @sempair/plugin-byol declares its place in the workspace; the BYOL method (online and EMA
// target networks, byolLoss) is built on core's method contract in its own issue.
export const packageName = '@sempair/plugin-byol';
