// @sempair/plugin-dino declares its place in the workspace; the DINO method (student and EMA
// teacher, DINO head, DinoLoss with centering) is built on core's method contract in its own issue.
export const packageName = '@sempair/plugin-dino';
