// @sempair/eval-detection declares its place in the workspace; Faster R-CNN R50-C4 on PASCAL
// VOC with detectron2's metric is built on core's evaluator contract in its own issue.
export const packageName = '@sempair/eval-detection';
