/**
 * The published numbers of the semantic-pairs paper (arXiv 2510.08722), as REFERENCE.md lists
 * them: top-1 linear accuracy (%) unless said otherwise. Results tables put them beside ours,
 * keyed by the paper's row and column labels. Where the paper gives only a sentence (Figures 4
 * and 5 are bar charts), the sentence is kept as a note and no number is made up.
 */
export const PAPER = {
  citation: 'Enhancing Self-Supervised Learning with Semantic Pairs (arXiv 2510.08722)',
  /** Table 1: SimCLR, linear top-1 on STL-10, by pre-training epochs. */
  table1: {
    SP: { '200': 85.59, '400': 86.5, '800': 86.56 },
    AP: { '200': 81.76, '400': 82.23, '800': 82.41 },
  },
  /** Table 2: SimCLR on SP (187 classes, 29.4K pairs, 4.5 h) vs Tiny-ImageNet (200 classes, 100K images, 13 h). */
  table2: {
    SP: { 'CIFAR-10': 83.6, 'CIFAR-100': 59.58, 'STL-10': 85.59 },
    'Tiny-ImageNet': { 'CIFAR-10': 79.43, 'CIFAR-100': 55.97, 'STL-10': 79.61 },
  },
  /** Table 3: Faster R-CNN R50-C4 on VOC07+12, tested on VOC07 test (AP50, AP, AP75). */
  table3: {
    SP: { AP50: 75.02, AP: 50.3, AP75: 55.22 },
    AP: { AP50: 73.82, AP: 48.9, AP75: 53.72 },
  },
  /** Table 4: DINO ViT-S/8, 300 epochs, 2 global views, fine-tuning top-1. */
  table4: {
    SP: { 'CIFAR-10': 81.8, 'CIFAR-100': 65.3, 'STL-10': 82.1 },
    AP: { 'CIFAR-10': 81.1, 'CIFAR-100': 64.5, 'STL-10': 79.2 },
  },
  /** Table 5: SimCLR, 200 epochs, STL-10, by images per class. */
  table5: {
    SP: { '50': 81.68, '100': 83.01, '157': 85.59 },
    AP: { '50': 77.48, '100': 78.97, '157': 81.76 },
  },
  /**
   * Figure 4 (bar chart): four methods × SP/AP × three datasets. The numbers given in the text
   * are SimCLR's, which Tables 1 and 2 state (STL-10 SP 85.59, AP 81.76; CIFAR SP 83.60 / 59.58).
   */
  figure4: {
    'simclr SP': { 'STL-10': 85.59, 'CIFAR-10': 83.6, 'CIFAR-100': 59.58 },
    'simclr AP': { 'STL-10': 81.76 },
  },
  figure4Notes: ['SimCLR gains most from semantic pairs (+3.83 on STL-10); the other bars are not given as numbers in the text.'],
  /** Figure 5 (bar chart): transformations removed, SimCLR, STL-10. */
  figure5: {
    'crop only SP': { 'STL-10': 64.23 },
    'crop only AP': { 'STL-10': 24.25 },
  },
  figure5Notes: ['Without grayscale, AP drops 9.69 points.', 'Crop only: AP falls to 24.25, SP keeps 64.23.'],
} as const;

/** The paper's pre-training cost: SimCLR, 200 epochs on SP (29,359 pairs) in 4.5 h on one A100. */
export const PAPER_A100_IMAGES_PER_SECOND = (200 * 29_359) / (4.5 * 3600);
