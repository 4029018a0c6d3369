#!/usr/bin/env python3
"""PyTorch peer of the `training` benchmark suite.

Builds the same AnyNet with block X as pycls does (stem: 3x3 conv + BN + act; block: 1x1, grouped
3x3 with the stride, 1x1, each followed by BN, act after the first two; projection shortcut
1x1 conv + BN when the width or the resolution changes; act after the sum; head: global average
pool + linear; act is the model's activation, ReLU or swish as torch.nn.SiLU), trains it on
random in-memory data with SGD (momentum, Nesterov, weight decay) in training mode, and prints
one JSON object: the step times after warm-up (wall and CPU), their median, images/s, the
process's peak resident memory and its minor page faults per measured step (each one a page of
memory freed to the system and mapped in again; glibc's malloc does that for large tensors unless
told to keep freed memory, e.g. GLIBC_TUNABLES=glibc.malloc.mmap_threshold=...:trim_threshold=...).

With --describe it trains nothing and prints what decides how fast this PyTorch is here, so a
slow peer shows as such: the torch version, oneDNN's version and the instruction set it
dispatched (from a small convolution run under ONEDNN_VERBOSE in a child process), ATen's CPU
capability, the CPU model and its vector flags as /proc/cpuinfo shows them, the usable cores and
any cgroup CPU quota, the default thread counts, and the environment variables that steer
OpenMP, oneDNN or ATen.

With --profile it trains the steps under torch.profiler instead and prints where a step's time
goes, in ms per step, by the same kinds of work as `profileStep` reports for ours (see PROFILE_KINDS).

Usage: python3 bench/torch_peer.py --model EXPANDED_MODEL_JSON [--batch 64] [--warmup 3]
       [--steps 10] [--threads N (0 = all)] [--channels-last] [--device cpu|cuda] [--profile]
       python3 bench/torch_peer.py --describe
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
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


# A convolution big enough for PyTorch to hand it to oneDNN (small ones take another path).
ISA_PROBE = (
    "import torch; torch.set_num_threads(1); "
    "torch.nn.functional.conv2d(torch.randn(8, 16, 14, 14), torch.randn(16, 16, 3, 3), padding=1)"
)

# Vector extensions that decide oneDNN's and ATen's kernels on x86.
VECTOR_FLAGS = ["sse4_1", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile"]

# Environment variables that change how PyTorch's CPU kernels run.
STEERING_ENV = re.compile(r"^(OMP_|GOMP_|KMP_|MKL_|DNNL_|ONEDNN_|ATEN_|TORCH_|OPENBLAS_)")


def onednn_dispatch():
    """oneDNN's version, the ISA it dispatches and the implementation a 3x3 conv got, or why unknown."""
    env = {**os.environ, "ONEDNN_VERBOSE": "1", "DNNL_VERBOSE": "1"}
    try:
        r = subprocess.run([sys.executable, "-c", ISA_PROBE], env=env, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"error": str(e)}
    found = {}
    for line in r.stdout.splitlines():
        fields = line.split(",")
        if len(fields) >= 3 and fields[1] == "info" and fields[2].startswith("oneDNN"):
            found["version"] = fields[2].split(" ")[1]
        elif len(fields) >= 4 and fields[1] == "info" and fields[3].startswith("isa:"):
            found["isa"] = fields[3][len("isa:"):]
        elif len(fields) >= 6 and fields[1] == "exec" and fields[3] == "convolution" and "convolution" not in found:
            found["convolution"] = fields[4]
    if "isa" not in found:
        found["error"] = "no oneDNN verbose output (oneDNN not used for convolutions?)"
    return found


def cpu_info():
    """The CPU model and which of VECTOR_FLAGS it shows, from /proc/cpuinfo (Linux)."""
    model, flags = None, set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model is None:
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return {"model": model or "unknown", "vectorFlags": [f for f in VECTOR_FLAGS if f in flags], "hypervisor": "hypervisor" in flags}


def cpu_quota():
    """The cgroup CPU quota in cores, or None when there is none (v2 cpu.max, then v1 cfs)."""
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()
            return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period = int(f.read())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None


# The kinds of work a step's operators fall into, by the operator's name (self time counts).
PROFILE_KINDS = [
    ("conv forward", {"aten::mkldnn_convolution", "aten::convolution_overrideable", "aten::_convolution", "aten::convolution", "aten::conv2d"}),
    ("conv backward", {"aten::convolution_backward", "aten::mkldnn_convolution_backward"}),
    ("batch norm + activation forward", {"aten::native_batch_norm", "aten::_batch_norm_impl_index", "aten::batch_norm", "aten::relu_", "aten::clamp_min_", "aten::silu_", "aten::relu", "aten::silu"}),
    ("batch norm + activation backward", {"aten::native_batch_norm_backward", "aten::threshold_backward", "aten::silu_backward"}),
]


def profile_steps(step, steps):
    """ms per step of each kind of PROFILE_KINDS, the other operators, and what no operator accounts for."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        t = time.perf_counter()
        for _ in range(steps):
            step()
        wall = (time.perf_counter() - t) * 1000 / steps  # before the profiler gathers its events
    kinds = {name: 0.0 for name, _ in PROFILE_KINDS}
    other = 0.0
    for e in prof.key_averages():
        ms = e.self_cpu_time_total / 1000 / steps
        kind = next((name for name, ops in PROFILE_KINDS if e.key in ops), None)
        if kind is None:
            other += ms
        else:
            kinds[kind] += ms
    inside = sum(kinds.values()) + other
    return {"stepMs": wall, "kinds": kinds, "otherOpsMs": other, "outsideOpsMs": max(0.0, wall - inside)}


def describe():
    capability = re.search(r"CPU capability usage: (\S.*)", torch.__config__.show())
    return {
        "torch": torch.__version__,
        "mkldnn": torch.backends.mkldnn.is_available(),
        "onednn": onednn_dispatch(),
        "atenCapability": capability.group(1).strip() if capability else None,
        "cpu": cpu_info(),
        "usableCores": len(os.sched_getaffinity(0)),
        "cpuQuota": cpu_quota(),
        "defaultThreads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "parallel": torch.__config__.parallel_info().splitlines()[-1].strip(),
        "env": {k: v for k, v in sorted(os.environ.items()) if STEERING_ENV.match(k)},
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--describe", action="store_true", help="print what decides this PyTorch's speed here, train nothing")
    p.add_argument("--model", help="expanded model as JSON")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", type=int, default=1, help="0: one per usable core")
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--device", default="cpu")
    p.add_argument("--profile", action="store_true", help="print where a step's time goes instead of step times")
    a = p.parse_args()
    if a.describe:
        json.dump(describe(), sys.stdout)
        sys.stdout.write("\n")
        return
    if a.model is None:
        p.error("--model is required")
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
    if a.profile:
        json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), **profile_steps(step, a.steps)}, sys.stdout)
        sys.stdout.write("\n")
        return
    times = []
    cpu = []
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(a.steps):
        t = time.perf_counter()
        c = time.process_time()
        step()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    med = statistics.median(times)
    json.dump({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "device": a.device,
        "channelsLast": a.channels_last,
        "params": params,
        "batch": a.batch,
        "stepMs": [1000 * t for t in times],
        # CPU time of all threads per step: well below threads × wall time means others took the cores.
        "cpuMs": [1000 * t for t in cpu],
        "medianMs": 1000 * med,
        "imagesPerSecond": a.batch / med,
        # Linux reports kilobytes.
        "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        # Pages the kernel had to map in: memory handed back to the system and asked for again.
        "faultsPerStep": faults / a.steps,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
