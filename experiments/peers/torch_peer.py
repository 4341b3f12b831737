"""The four `fulcrum bench` workloads in PyTorch (CPU), for a side-by-side comparison.

    python experiments/peers/torch_peer.py [--threads N] [--only NAME] [--steps 200] [--json]

Same shapes as Fulcrum's benchmark: an MLP 784-256-256 ReLU trunk (or the small CNN on 28×28 inputs)
with four heads — 10-way and 3-way softmax cross-entropy, a binary cross-entropy and a 4-d MSE — batch
256, Adam, the weighted sum of the task losses. Each workload runs 20 warm-up steps and reports the
median ms/step of the timed steps. Run it interleaved with `fulcrum bench`: the machine drifts.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 256
HEADS = (10, 3, 1, 4)


def mlp_trunk():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU()), 256


def cnn_trunk():
    trunk = nn.Sequential(
        nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(512, 128), nn.ReLU())
    return trunk, 128


def task_losses(outputs, targets):
    ten, three, flag, vector = outputs
    return [F.cross_entropy(ten, targets[0]), F.cross_entropy(three, targets[1]),
            F.binary_cross_entropy_with_logits(flag, targets[2]), F.mse_loss(vector, targets[3])]


def make_step(name, trunk, heads, optimizer):
    shared = list(trunk.parameters())
    weights = [1.0] * len(HEADS)

    def plain(x, targets):
        optimizer.zero_grad(set_to_none=True)
        z = trunk(x)
        losses = task_losses([h(z) for h in heads], targets)
        sum(w * l for w, l in zip(weights, losses)).backward()
        optimizer.step()

    def gram(x, targets):
        # Per-task gradients on all shared parameters, their Gram matrix, then Σ w_t g_t.
        optimizer.zero_grad(set_to_none=True)
        z = trunk(x)
        losses = task_losses([h(z) for h in heads], targets)
        per_task = []
        for t, loss in enumerate(losses):
            grads = torch.autograd.grad(loss, shared + list(heads[t].parameters()), retain_graph=True)
            per_task.append(grads[:len(shared)])
            for p, g in zip(heads[t].parameters(), grads[len(shared):]):
                p.grad = weights[t] * g
        flat = torch.stack([torch.cat([g.reshape(-1) for g in grads]) for grads in per_task])
        _ = flat @ flat.T
        for i, p in enumerate(shared):
            p.grad = sum(weights[t] * per_task[t][i] for t in range(len(losses)))
        optimizer.step()

    def rep_gram(x, targets):
        # Per-task gradients at the shared representation only, their Gram, one trunk backward.
        optimizer.zero_grad(set_to_none=True)
        z = trunk(x)
        cut = z.detach().requires_grad_()
        losses = task_losses([h(cut) for h in heads], targets)
        at_z = []
        for t, loss in enumerate(losses):
            grads = torch.autograd.grad(loss, [cut] + list(heads[t].parameters()))
            at_z.append(grads[0])
            for p, g in zip(heads[t].parameters(), grads[1:]):
                p.grad = weights[t] * g
        flat = torch.stack([g.reshape(-1) for g in at_z])
        _ = flat @ flat.T
        z.backward(sum(w * g for w, g in zip(weights, at_z)))
        optimizer.step()

    return {"mlp": plain, "cnn": plain, "mlp-gram": gram, "mlp-rep-gram": rep_gram}[name]


def run(name, threads, steps, warmup=20):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    trunk, width = cnn_trunk() if name == "cnn" else mlp_trunk()
    heads = nn.ModuleList(nn.Linear(width, k) for k in HEADS)
    optimizer = torch.optim.Adam(list(trunk.parameters()) + list(heads.parameters()), lr=1e-3)
    x = torch.randn(BATCH, 1, 28, 28) if name == "cnn" else torch.randn(BATCH, 784)
    targets = [torch.randint(0, 10, (BATCH,)), torch.randint(0, 3, (BATCH,)),
               torch.randint(0, 2, (BATCH, 1)).float(), torch.randn(BATCH, 4)]
    step = make_step(name, trunk, heads, optimizer)
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        step(x, targets)
        if i >= warmup:
            times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"name": name, "threads": threads, "millisecondsPerStep": 1000 * seconds,
            "samplesPerSecond": BATCH / seconds, "peakResidentMegabytes": peak}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", choices=["mlp", "mlp-gram", "mlp-rep-gram", "cnn"])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    names = [args.only] if args.only else ["mlp", "mlp-gram", "mlp-rep-gram", "cnn"]
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    for name in names:
        result = run(name, args.threads, args.steps)
        if args.json:
            print(json.dumps(result))
        else:
            print(f"{name:<14} {result['millisecondsPerStep']:8.2f} ms/step {result['samplesPerSecond']:9.0f} samples/s"
                  f"   peak RSS {result['peakResidentMegabytes']:.0f} MB")


if __name__ == "__main__":
    main()
