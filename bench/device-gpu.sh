#!/usr/bin/env bash
# The GPU check, in one run on a machine with an NVIDIA GPU that has neither Node nor npm nor the
# Internet (Python with PyTorch on CUDA is expected there, and is measured beside us when found):
# `npm run bench -- gpu`, ours on webgpu (Dawn on NVIDIA's Vulkan driver) beside PyTorch on CUDA.
#
#   here:   npm run build && node scripts/pack-device-bench.js   # writes .device/ (~35 MB)
#   there:  bash bench/device-gpu.sh                              # with .device carried along
#
# Writes gpu.txt (the table) and gpu.json into $OUT (default /tmp/dslab-gpu). Takes 2–5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/dslab-gpu}
mkdir -p "$OUT"
[ -d .device ] || { echo "device-gpu: no .device/ here: run node scripts/pack-device-bench.js where npm works, and bring .device along" >&2; exit 2; }

# Dawn opens libvulkan.so.1; a machine without the loader gets Debian's, unpacked over /.
if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
  for f in .device/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
# NVIDIA's Vulkan driver manifest, where the image keeps it outside the loader's search path.
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd; break; fi
done

# Node and dawn.node travel xz-compressed; Python's lzma expands them (no xz binary needed).
NODE_DIR=$(mktemp -d)
python3 - "$NODE_DIR" <<'PY'
import lzma, os, shutil, sys
node_dir = sys.argv[1]
def expand(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with lzma.open(src) as f, open(dst, "wb") as g:
        shutil.copyfileobj(f, g)
expand(".device/node.xz", os.path.join(node_dir, "node"))
os.chmod(os.path.join(node_dir, "node"), 0o755)
for top, _, files in os.walk(".device/xz"):
    for name in files:
        src = os.path.join(top, name)
        expand(src, os.path.join(".device", os.path.relpath(src, ".device/xz"))[: -len(".xz")])
PY
rm -rf .device/xz out node_modules
mv .device/out out
mv .device/node_modules node_modules
export PATH="$NODE_DIR:$PATH"

{
  echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), node $(node --version)"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 || true
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-(loader default)}"
} | tee "$OUT/gpu.txt"
node out/bench/bench.js gpu --json > "$OUT/gpu.json"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const f of r.suites[0].figures) console.log(`${f.name}: ${Number.isNaN(f.value) || f.value === null ? "—" : f.value.toPrecision(4)} ${f.unit}  (${f.note ?? ""})`);
' "$OUT/gpu.json" | tee -a "$OUT/gpu.txt"
