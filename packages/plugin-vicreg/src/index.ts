// @sempair/plugin-vicreg declares its place in the workspace; the VICReg method (expander,
// vicregLoss with its three terms) is built on core's method contract in its own issue.
export const packageName = '@sempair/plugin-vicreg';
