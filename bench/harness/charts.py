"""The charts of the report, drawn with matplotlib (Debian's python3-matplotlib) as SVG, and as
PNG too when asked (to look at them). Each returns (file name, title) or nothing."""
import os

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import stats  # noqa: E402

HIGHLIGHT = {"launch": "#d62728", "launch --no-init": "#ff9896", "husk": "#d62728"}
OTHERS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]


def _color(name, names):
    """launch and husk in red; the others in fixed colours without red, by position."""
    if name in HIGHLIGHT:
        return HIGHLIGHT[name]
    rest = [n for n in names if n not in HIGHLIGHT]
    return OTHERS[rest.index(name) % len(OTHERS)]


def _save(fig, out, stem, png):
    fig.tight_layout()
    fig.savefig(os.path.join(out, stem + ".svg"))
    if png:
        fig.savefig(os.path.join(out, stem + ".png"), dpi=90)
    plt.close(fig)
    return stem + ".svg"


def startup(results, out, png):
    data = results.get("startup")
    if not data:
        return None
    fig, axes = plt.subplots(len(data), 1, figsize=(9, 1.0 + 0.42 * sum(
        len(d["tools"]) for d in data.values()) + 0.6 * len(data)), squeeze=False)
    for ax, (workload, d) in zip(axes[:, 0], data.items()):
        order = sorted(d["summary"], key=lambda k: -(d["summary"][k]["median"] or 0))
        values = [[x / 1000 for x in d["tools"][t]["wall_us"] if x is not None] or [0]
                  for t in order]
        box = ax.boxplot(values, vert=False, labels=order, showfliers=False, whis=(10, 90),
                         patch_artist=True, medianprops={"color": "black"})
        for patch, tool in zip(box["boxes"], order):
            patch.set_facecolor(HIGHLIGHT.get(tool, "#9ecae1"))
        about = d["about"].replace("`", "")
        ax.set_title(f"{workload}: {about[:95] + ('…' if len(about) > 95 else '')}",
                     fontsize=9, loc="left")
        ax.set_xlabel("wall time of one `run` of /bin/true (ms); box p25–p75, whiskers p10–p90")
        ax.set_xlim(left=0)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="y", labelsize=8)
    return _save(fig, out, "startup", png), "start-up per tool and workload"


def phases(results, out, png):
    data = results.get("phases", {}).get("workloads", {})
    works = {w: d for w, d in data.items() if d["runs"]}
    if not works:
        return None
    names = []
    for d in works.values():
        names += [k for k in d["median"] if k not in names and k != "total"
                  and not k.startswith("(")]
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.55 * len(works)))
    cmap = plt.get_cmap("tab20")
    labels = list(works)
    left = [0.0] * len(labels)
    widest = max(sum((works[w]["median"].get(n) or 0) / 1000 for n in names) for w in labels)
    for i, name in enumerate(names):
        widths = [(works[w]["median"].get(name) or 0) / 1000 for w in labels]
        ax.barh(labels, widths, left=left, color=cmap(i % 20), label=name, edgecolor="white")
        for j, (x, wdt) in enumerate(zip(left, widths)):
            if wdt > widest * 0.012 * (len(name) + 2):  # room for the name
                ax.text(x + wdt / 2, j, name, ha="center", va="center", fontsize=7)
        left = [a + b for a, b in zip(left, widths)]
    for j, w in enumerate(labels):
        outside = works[w]["median"].get("(wall, measured outside)")
        if outside:
            ax.plot([outside / 1000] * 2, [j - 0.4, j + 0.4], color="black", lw=1.5)
    ax.plot([], [], color="black", lw=1.5, label="wall time around launch (harness)")
    ax.set_xlabel("median time per phase of `launch --debug run` (ms), stacked")
    ax.set_ylabel("workload")
    ax.invert_yaxis()
    ax.legend(fontsize=7, ncol=7, loc="upper center", bbox_to_anchor=(0.5, -0.22 - 0.2 / len(
        works)), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, out, "phases", png), "where launch's time goes"


def scale(results, out, png):
    data = results.get("scale", {}).get("sequential")
    if not data:
        return None
    n = max(data, key=int)
    per = data[n]
    here = [t for t in results["scale"]["tools"] if t in per]
    fig, ax = plt.subplots(figsize=(9, 4))
    for tool in here:
        ys = [(y / 1000 if y is not None else None) for y in per[tool]["wall_us"]]
        xs = [i for i, y in enumerate(ys) if y is not None]
        ys = [y for y in ys if y is not None]
        color = _color(tool, results["scale"]["tools"])
        ax.scatter(xs, ys, s=3, alpha=0.35, color=color, rasterized=True)
        window = max(5, len(ys) // 20)
        rolled = [stats.median(ys[max(0, i - window // 2): i + window // 2 + 1])
                  for i in range(len(ys))]
        ax.plot(xs, rolled, color=color, lw=1.8, label=f"{tool} (rolling median of {window})")
    ax.set_xlabel(f"container index ({int(n):,} in sequence"
                  + (", the tools alternating)" if len(here) > 1 else ")"))
    ax.set_ylabel("wall time per container (ms)")
    ax.set_ylim(bottom=0, top=max(1.0, stats.quantile(
        [y / 1000 for t in here for y in per[t]["wall_us"] if y], 0.98)
        * 1.3))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, out, "scale", png), "per-container time over a long sequence"


def reaping(results, out, png):
    metrics = results.get("husk", {}).get("metrics", {})
    keys = sorted((k for k in metrics if k.startswith("reap")), key=lambda k: int(k[4:]))
    if not keys:
        return None
    counts = [int(k[4:]) for k in keys]
    inits = [i for i in metrics[keys[0]]["samples"] if i != "(no init)"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, field, what in ((axes[0], "samples", "wall time"), (axes[1], "cpu_ms", "init CPU")):
        for init in inits:
            ys = [stats.median(metrics[k][field].get(init, [])) for k in keys]
            if any(y is None for y in ys):
                continue
            ax.plot(counts, ys, marker="o", label=init, color=_color(init, inits),
                    lw=2.2 if init == "husk" else 1.2)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ys = [y for line in ax.get_lines() for y in line.get_ydata()]
        if ys and min(ys) > 0 and max(ys) / min(ys) > 20:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,g}"))
            scale_note = ", log scale"
        else:
            ax.set_ylim(bottom=0, top=max(ys or [1]) * 1.15)
            scale_note = ""
        ax.set_xlabel("orphans reaped (count, log scale)")
        ax.set_ylabel(f"{what} (ms{scale_note})")
        ax.set_title(f"reaping: {what}, median of the rounds", fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    return _save(fig, out, "reaping", png), "husk's reaping time against the orphan count"


def draw(results, out, png=False):
    drawn = []
    for chart in (startup, phases, scale, reaping):
        made = chart(results, out, png)
        if made:
            drawn.append(made)
    return drawn
