#!/usr/bin/env python3
"""The train-step benchmark's network in CPU PyTorch, for `pnpm bench train-step --compare-pytorch`.

ResNet-18 as @sempair/core builds it for the benchmark (torchvision BasicBlocks [2, 2, 2, 2],
3x3 stride-1 stem without max-pool, widths w/2w/4w/8w, batch norm momentum 0.1 eps 1e-5), a
linear head, softmax cross-entropy, SGD momentum 0.9 with weight decay 5e-4 on conv/linear
weights only, on random data. Runs as a child process: prints {"ready": ...} once warmed up,
then answers each "run N" line on stdin with the timing of N steps as one JSON line.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(out + identity)


class ResNet18(nn.Module):
    def __init__(self, width, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        blocks, inplanes = [], width
        for stage in range(4):
            planes = width * 2**stage
            for b in range(2):
                blocks.append(BasicBlock(inplanes, planes, 2 if stage > 0 and b == 0 else 1))
                inplanes = planes
        self.layers = nn.Sequential(*blocks)
        self.fc = nn.Linear(inplanes, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        return self.fc(self.layers(x).mean((2, 3)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = ResNet18(args.width, 10)
    decay = [p for n, p in net.named_parameters() if p.dim() > 1]
    rest = [p for n, p in net.named_parameters() if p.dim() <= 1]
    optimizer = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": rest, "weight_decay": 0}], lr=0.1, momentum=0.9)
    images = torch.randn(args.batch, 3, args.size, args.size)
    labels = torch.randint(0, 10, (args.batch,))

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(images), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    params = sum(p.numel() for p in net.parameters())
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(), "parameters": params}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] != "run":
            break
        steps = int(words[1])
        start = time.perf_counter()
        loss = float("nan")
        for _ in range(steps):
            loss = step()
        seconds = time.perf_counter() - start
        print(json.dumps({"imagesPerSec": args.batch * steps / seconds, "msPerStep": 1000 * seconds / steps, "loss": loss}), flush=True)


if __name__ == "__main__":
    main()
