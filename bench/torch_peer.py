#!/usr/bin/env python3
"""PyTorch peer of the `training` benchmark suite.

Builds the same AnyNet with block X as pycls does (stem: 3x3 conv + BN + act; block: 1x1, grouped
3x3 with the stride, 1x1, each followed by BN, act after the first two; projection shortcut
1x1 conv + BN when the width or the resolution changes; act after the sum; head: global average
pool + linear; act is the model's activation, ReLU or swish as torch.nn.SiLU), trains it on
random in-memory data with SGD (momentum, Nesterov, weight decay) in training mode, and prints
one JSON object: the step times after warm-up (wall and CPU), their median and images/s.

Usage: python3 bench/torch_peer.py --model EXPANDED_MODEL_JSON [--batch 64] [--warmup 3]
       [--steps 10] [--threads N (0 = all)] [--channels-last] [--device cpu|cuda]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn

STEMS = {"cifar": (3, 1)}  # kernel, stride (pycls res_stem_cifar)
ACTIVATIONS = {"relu": nn.ReLU, "swish": nn.SiLU}  # pycls: relu, silu


def conv_bn(w_in, w_out, k, stride, groups=1):
    """Conv (no bias, pycls pads (k-1)/2) followed by BN."""
    return [nn.Conv2d(w_in, w_out, k, stride=stride, padding=(k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(w_out)]


class XBlock(nn.Module):
    """pycls ResBottleneckBlock with se = 0: the AnyNetX block."""

    def __init__(self, w_in, w_out, stride, bottleneck, group_width, act):
        super().__init__()
        w_b = int(round(w_out / bottleneck))
        groups = w_b // group_width
        self.f = nn.Sequential(
            *conv_bn(w_in, w_b, 1, 1), act(inplace=True),
            *conv_bn(w_b, w_b, 3, stride, groups), act(inplace=True),
            *conv_bn(w_b, w_out, 1, 1),
        )
        self.proj = nn.Sequential(*conv_bn(w_in, w_out, 1, stride)) if (w_in != w_out or stride != 1) else None
        self.act = act(inplace=True)

    def forward(self, x):
        shortcut = self.proj(x) if self.proj is not None else x
        return self.act(shortcut + self.f(x))


class AnyNet(nn.Module):
    def __init__(self, spec):
        super().__init__()
        if spec["block"] != "X" or spec.get("se", 0) != 0 or spec.get("headWidth", 0) != 0:
            raise ValueError("the peer builds block X without SE or head width only")
        stem = spec["stem"]
        if stem["type"] not in STEMS:
            raise ValueError(f"stem {stem['type']} is not supported by the peer")
        k, s = STEMS[stem["type"]]
        act = ACTIVATIONS[spec.get("activation", "relu")]
        layers = [*conv_bn(spec["channels"], stem["width"], k, s), act(inplace=True)]
        w_in = stem["width"]
        for stage in spec["stages"]:
            for j in range(stage["depth"]):
                layers.append(XBlock(w_in, stage["width"], stage["stride"] if j == 0 else 1, stage["bottleneck"], stage["groupWidth"], act))
                w_in = stage["width"]
        self.body = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(w_in, spec["classes"], bias=True)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.body(x)), 1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, help="expanded model as JSON")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", type=int, default=1, help="0: one per usable core")
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    spec = json.loads(a.model)
    # Some builds (Debian's) start with 1 thread: "all" is set explicitly to the usable cores.
    torch.set_num_threads(a.threads if a.threads > 0 else len(os.sched_getaffinity(0)))
    torch.manual_seed(1)
    device = torch.device(a.device)
    model = AnyNet(spec).to(device)
    params = sum(t.numel() for t in model.parameters())
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    r = spec["resolution"]
    x = torch.randn(a.batch, spec["channels"], r, r, device=device).contiguous(memory_format=fmt)
    y = torch.randint(0, spec["classes"], (a.batch,), device=device)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()  # waits for the step, as ours reads its loss

    for _ in range(a.warmup):
        step()
    times = []
    cpu = []
    for _ in range(a.steps):
        t = time.perf_counter()
        c = time.process_time()
        step()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    med = statistics.median(times)
    json.dump({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "device": a.device,
        "channelsLast": a.channels_last,
        "params": params,
        "batch": a.batch,
        "stepMs": [1000 * t for t in times],
        # CPU time of all threads per step: well below threads × wall time means others took the cores.
        "cpuMs": [1000 * t for t in cpu],
        "medianMs": 1000 * med,
        "imagesPerSecond": a.batch / med,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
