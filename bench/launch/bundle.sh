# bench/launch/bundle.sh, sourced: make_bench_bundle DIR CGROUPS_PATH ARG... writes a bundle at
# DIR: a busybox-static rootfs (true, sh, sleep) and the config `runc spec` writes, with
# process.args ARG..., terminal false and the relative cgroupsPath CGROUPS_PATH.
make_bench_bundle() {
  local dir=$1 cgroups_path=$2
  shift 2
  mkdir -p "$dir/rootfs/bin"
  cp /bin/busybox "$dir/rootfs/bin/"
  for applet in true sh sleep; do ln -s busybox "$dir/rootfs/bin/$applet"; done
  (cd "$dir" && runc spec)
  python3 - "$dir/config.json" "$cgroups_path" "$@" <<'PY'
import json, sys
path, cgroups_path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
config = json.load(open(path))
config["process"]["terminal"] = False
config["process"]["args"] = args
config["linux"]["cgroupsPath"] = cgroups_path
json.dump(config, open(path, "w"), indent="\t")
PY
}
