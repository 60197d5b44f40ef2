"""Order statistics, within-round ratios and a paired bootstrap: the figures of the report.

Samples of one tool come as a list indexed by round; a round where the tool did not run (or
failed) holds None. Ratios to the baseline pair the samples of the same round, so that a change
of load on the machine falls on both sides of a ratio alike.
"""
import random


def quantile(values, q):
    """The q-quantile (0..1) of values, interpolated linearly between order statistics."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    pos = q * (len(v) - 1)
    low = int(pos)
    high = min(low + 1, len(v) - 1)
    return v[low] + (v[high] - v[low]) * (pos - low)


def median(values):
    return quantile(values, 0.5)


def summary(values):
    """{'n', 'median', 'p10', 'p90'} of the values present."""
    present = [x for x in values if x is not None]
    return {"n": len(present), "median": median(present), "p10": quantile(present, 0.1),
            "p90": quantile(present, 0.9)}


def paired(a, b):
    """The rounds where both a and b have a sample, as two aligned lists."""
    pairs = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    return [x for x, _ in pairs], [y for _, y in pairs]


def ratio(a, b, resamples=2000, confidence=0.95, seed=1):
    """a against b, round by round: {'median_ratio': median of a_i / b_i, 'ratio_of_medians',
    'low', 'high': a bootstrap confidence interval on the ratio of medians (rounds resampled
    with their pairs kept), 'n': rounds}. None when no round has both."""
    x, y = paired(a, b)
    if not x or any(v <= 0 for v in y):
        return None
    rng = random.Random(seed)
    n = len(x)
    boots = []
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        my = median([y[i] for i in picks])
        if my:
            boots.append(median([x[i] for i in picks]) / my)
    tail = (1 - confidence) / 2
    return {"n": n, "median_ratio": median([p / q for p, q in zip(x, y)]),
            "ratio_of_medians": median(x) / median(y),
            "low": quantile(boots, tail), "high": quantile(boots, 1 - tail)}


def ratio_to_best(a, others, resamples=2000, confidence=0.95, seed=1):
    """a against the best (lowest median) of several tools, bootstrapped over rounds like
    ratio(); the best is chosen again in each resample. others: {name: samples by round}.
    Returns ratio()'s fields plus 'best' (the name with the lowest median) or None."""
    names = [k for k, v in others.items() if median(v) is not None]
    if not names or median(a) is None:
        return None
    rounds = [i for i in range(len(a))
              if a[i] is not None and all(others[k][i] is not None for k in names)]
    if not rounds:
        return None
    best = min(names, key=lambda k: median(others[k]))

    def estimate(picks):
        return median([a[i] for i in picks]) / min(
            median([others[k][i] for i in picks]) for k in names)

    rng = random.Random(seed)
    boots = [estimate([rng.choice(rounds) for _ in rounds]) for _ in range(resamples)]
    tail = (1 - confidence) / 2
    return {"n": len(rounds), "best": best, "ratio_of_medians": estimate(rounds),
            "median_ratio": None, "low": quantile(boots, tail), "high": quantile(boots, 1 - tail)}


def drift(samples, fraction=0.1, resamples=2000, confidence=0.95, seed=1):
    """Median of the last `fraction` of a sequence against the median of its first, with a
    bootstrap interval (each part resampled on its own). None for fewer than 10 samples."""
    v = [x for x in samples if x is not None]
    k = max(1, int(len(v) * fraction))
    if len(v) < 10:
        return None
    first, last = v[:k], v[-k:]
    rng = random.Random(seed)
    boots = [median([rng.choice(last) for _ in last]) / median([rng.choice(first) for _ in first])
             for _ in range(resamples)]
    tail = (1 - confidence) / 2
    return {"n": k, "first": median(first), "last": median(last),
            "ratio": median(last) / median(first),
            "low": quantile(boots, tail), "high": quantile(boots, 1 - tail)}


def drift_ratio(a, b, fraction=0.1, resamples=2000, confidence=0.95, seed=1):
    """a's drift against b's, when a and b alternate in one sequence: (last / first of a) /
    (last / first of b), medians of the first and the last `fraction` of the rounds where both
    ran, with a bootstrap interval (the rounds of each part resampled with their pairs kept, so
    that a change of load in the sequence falls on both). Above 1: a slows down more than b.
    None for fewer than 10 such rounds."""
    x, y = paired(a, b)
    if len(x) < 10:
        return None
    k = max(1, int(len(x) * fraction))
    first, last = list(range(k)), list(range(len(x) - k, len(x)))

    def estimate(first, last):
        def part(values, picks):
            return median([values[i] for i in picks])
        return (part(x, last) / part(x, first)) / (part(y, last) / part(y, first))

    rng = random.Random(seed)
    boots = [estimate([rng.choice(first) for _ in first], [rng.choice(last) for _ in last])
             for _ in range(resamples)]
    tail = (1 - confidence) / 2
    return {"n": k, "ratio": estimate(first, last), "low": quantile(boots, tail),
            "high": quantile(boots, 1 - tail)}


def verdict(value, limit, low=None, high=None):
    """'met' when value <= limit, else 'not met by X%'; a confidence interval that spans the
    limit is said."""
    if value is None:
        return "not measured"
    if value <= limit:
        text = "met"
        if high is not None and high > limit:
            text += f" (CI up to {high:.2f} spans {limit:g})"
        return text
    text = f"not met by {(value / limit - 1) * 100:.0f}%"
    if low is not None and low <= limit:
        text += f" (CI from {low:.2f} spans {limit:g})"
    return text
