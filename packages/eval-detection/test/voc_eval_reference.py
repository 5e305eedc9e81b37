"""An independent reference for the VOC metric tests: detectron2's PascalVOCDetectionEvaluator
(voc_eval, voc_ap, parse_rec and the summary) rewritten in plain numpy, run on the files the
TypeScript side wrote. Usage:

  python3 voc_eval_reference.py eval <devkit-root> <year-folder> <split> <results-dir> <comp> <class,...> <07|area>
      prints JSON {"per_class": {cls: [ap*100 per threshold]}, "AP", "AP50", "AP75"}
  python3 voc_eval_reference.py format  < predictions.json
      prints the results lines detectron2's process() writes (float32 boxes, xmin/ymin + 1)
  python3 voc_eval_reference.py sum     < arrays.json
      prints np.sum and np.mean of each float64 array
"""
import json
import os
import sys
import xml.etree.ElementTree as ET

import numpy as np


def parse_rec(filename):
    tree = ET.parse(filename)
    objects = []
    for obj in tree.findall("object"):
        bbox = obj.find("bndbox")
        objects.append({
            "name": obj.find("name").text,
            "difficult": int(obj.find("difficult").text),
            "bbox": [int(bbox.find(tag).text) for tag in ("xmin", "ymin", "xmax", "ymax")],
        })
    return objects


def voc_ap(rec, prec, use_07_metric):
    if use_07_metric:
        ap = 0.0
        for t in np.arange(0.0, 1.1, 0.1):
            if np.sum(rec >= t) == 0:
                p = 0
            else:
                p = np.max(prec[rec >= t])
            ap = ap + p / 11.0
        return ap
    mrec = np.concatenate(([0.0], rec, [1.0]))
    mpre = np.concatenate(([0.0], prec, [0.0]))
    for i in range(mpre.size - 1, 0, -1):
        mpre[i - 1] = np.maximum(mpre[i - 1], mpre[i])
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1])


def voc_eval(detfile, annopath, imagesetfile, classname, ovthresh, use_07_metric):
    with open(imagesetfile) as f:
        imagenames = [x.strip() for x in f.readlines()]
    recs = {name: parse_rec(annopath.format(name)) for name in imagenames}
    class_recs = {}
    npos = 0
    for name in imagenames:
        R = [obj for obj in recs[name] if obj["name"] == classname]
        bbox = np.array([x["bbox"] for x in R])
        difficult = np.array([x["difficult"] for x in R]).astype(bool)
        npos = npos + sum(~difficult)
        class_recs[name] = {"bbox": bbox, "difficult": difficult, "det": [False] * len(R)}

    with open(detfile) as f:
        lines = f.readlines()
    splitlines = [x.strip().split(" ") for x in lines]
    image_ids = [x[0] for x in splitlines]
    confidence = np.array([float(x[1]) for x in splitlines])
    BB = np.array([[float(z) for z in x[2:]] for x in splitlines]).reshape(-1, 4)
    # The tests use distinct scores, so numpy's unstable default sort gives the one order.
    sorted_ind = np.argsort(-confidence)
    BB = BB[sorted_ind, :]
    image_ids = [image_ids[x] for x in sorted_ind]

    nd = len(image_ids)
    tp = np.zeros(nd)
    fp = np.zeros(nd)
    for d in range(nd):
        R = class_recs[image_ids[d]]
        bb = BB[d, :].astype(float)
        ovmax = -np.inf
        BBGT = R["bbox"].astype(float)
        if BBGT.size > 0:
            ixmin = np.maximum(BBGT[:, 0], bb[0])
            iymin = np.maximum(BBGT[:, 1], bb[1])
            ixmax = np.minimum(BBGT[:, 2], bb[2])
            iymax = np.minimum(BBGT[:, 3], bb[3])
            iw = np.maximum(ixmax - ixmin + 1.0, 0.0)
            ih = np.maximum(iymax - iymin + 1.0, 0.0)
            inters = iw * ih
            uni = ((bb[2] - bb[0] + 1.0) * (bb[3] - bb[1] + 1.0)
                   + (BBGT[:, 2] - BBGT[:, 0] + 1.0) * (BBGT[:, 3] - BBGT[:, 1] + 1.0) - inters)
            overlaps = inters / uni
            ovmax = np.max(overlaps)
            jmax = np.argmax(overlaps)
        if ovmax > ovthresh:
            if not R["difficult"][jmax]:
                if not R["det"][jmax]:
                    tp[d] = 1.0
                    R["det"][jmax] = 1
                else:
                    fp[d] = 1.0
        else:
            fp[d] = 1.0

    fp = np.cumsum(fp)
    tp = np.cumsum(tp)
    with np.errstate(divide="ignore", invalid="ignore"):
        rec = tp / float(npos)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    with np.errstate(invalid="ignore"):
        return voc_ap(rec, prec, use_07_metric)


def num(x):
    """JSON has no NaN: write it as null."""
    return None if np.isnan(x) else float(x)


def evaluate(root, year, split, results, comp, classes, use_07_metric):
    annopath = os.path.join(root, year, "Annotations", "{}.xml")
    imageset = os.path.join(root, year, "ImageSets", "Main", split + ".txt")
    per_class = {}
    aps = {}
    for cls in classes:
        detfile = os.path.join(results, f"{comp}_det_{split}_{cls}.txt")
        per_class[cls] = []
        for thresh in range(50, 100, 5):
            ap = voc_eval(detfile, annopath, imageset, cls, thresh / 100.0, use_07_metric)
            aps.setdefault(thresh, []).append(ap * 100)
            per_class[cls].append(num(ap * 100))
    mAP = {iou: np.mean(x) for iou, x in aps.items()}
    return {"per_class": per_class, "AP": num(np.mean(list(mAP.values()))), "AP50": num(mAP[50]), "AP75": num(mAP[75])}


def format_predictions(predictions):
    lines = []
    for p in predictions:
        boxes = np.array(p["boxes"], dtype=np.float32).reshape(-1, 4)
        scores = np.array(p["scores"], dtype=np.float32).tolist()
        for box, score in zip(boxes, scores):
            xmin, ymin, xmax, ymax = box
            xmin += 1
            ymin += 1
            lines.append(f"{p['imageId']} {score:.3f} {xmin:.1f} {ymin:.1f} {xmax:.1f} {ymax:.1f}")
    return lines


def main():
    mode = sys.argv[1]
    if mode == "eval":
        root, year, split, results, comp, classes, metric = sys.argv[2:9]
        print(json.dumps(evaluate(root, year, split, results, comp, classes.split(","), metric == "07")))
    elif mode == "format":
        print(json.dumps(format_predictions(json.load(sys.stdin))))
    elif mode == "sum":
        arrays = [np.array(a, dtype=np.float64) for a in json.load(sys.stdin)]
        print(json.dumps([[float(np.sum(a)), float(np.mean(a))] for a in arrays]))
    else:
        raise SystemExit(f"unknown mode {mode}")


main()
