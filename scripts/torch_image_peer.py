#!/usr/bin/python3
# Peer benchmark for `si bench`'s image step, as ../shared/bench/torch_peer.py is for the reference
# step (which it cannot run: it is 2-D, ReLU and checkerboard only): the same training step written
# in plain batched PyTorch, one-sided-linear path, drift b and antithetic score s, MLP (t, x) ->
# hidden -> d with SiLU, Adam 2e-3, from N(0, I) to the unifying paper's Gaussian mixture in d
# dimensions (means 3 N(0, I), covariances C^T C + 0.5 I, sampled through their Cholesky factors).
# usage: torch_image_peer.py STEPS [HIDDEN e.g. 512,512,512] [BATCH] [DIM] [COMPONENTS]
# prints one line: sec_per_step=... ; run with OPENBLAS_NUM_THREADS=1 for a single-core figure.
import os, sys, time
# As in torch_peer.py: name OpenBLAS's kernel, since virtual machines hide the CPU model it reads.
if 'OPENBLAS_CORETYPE' not in os.environ:
    flags = open('/proc/cpuinfo').read()
    os.environ['OPENBLAS_CORETYPE'] = 'SkylakeX' if 'avx512f' in flags else 'Haswell' if 'avx2' in flags else ''
import torch
torch.manual_seed(0)
N = int(sys.argv[1])
hs = [int(x) for x in sys.argv[2].split(',')] if len(sys.argv) > 2 else [512] * 3
bs = int(sys.argv[3]) if len(sys.argv) > 3 else 128
d = int(sys.argv[4]) if len(sys.argv) > 4 else 196
K = int(sys.argv[5]) if len(sys.argv) > 5 else 2
def mlp():
    L = []; sz = [d + 1] + hs + [d]
    for i in range(len(sz) - 1):
        L.append(torch.nn.Linear(sz[i], sz[i + 1]))
        if i < len(sz) - 2: L.append(torch.nn.SiLU())
    return torch.nn.Sequential(*L)
means = 3 * torch.randn(K, d)
C = torch.randn(K, d, d)
chol = torch.linalg.cholesky(C.transpose(1, 2) @ C + 0.5 * torch.eye(d))
def target(n):
    k = torch.randint(K, (n,)); z = torch.randn(n, d); x = torch.empty(n, d)
    for c in range(K):
        m = k == c
        x[m] = means[c] + z[m] @ chol[c].T
    return x
b = mlp(); s = mlp(); ob = torch.optim.Adam(b.parameters(), 2e-3); os_ = torch.optim.Adam(s.parameters(), 2e-3)
t0 = time.perf_counter()
for _ in range(N):
    x0 = torch.randn(bs, d); x1 = target(bs); t = torch.rand(bs, 1)
    a = 1 - t; xt = a * x0 + t * x1; dI = x1 - x0
    bt = b(torch.cat([t, xt], 1)); lb = (0.5 * (bt ** 2).sum(1) - (dI * bt).sum(1)).mean()
    xp = t * x1 + a * x0; xm = t * x1 - a * x0
    sp = s(torch.cat([t, xp], 1)); sm = s(torch.cat([t, xm], 1))
    ls = (0.5 * (sp ** 2).sum(1) + (sp * x0).sum(1) / a[:, 0] + 0.5 * (sm ** 2).sum(1) - (sm * x0).sum(1) / a[:, 0]).mean()
    ob.zero_grad(); os_.zero_grad(); lb.backward(); ls.backward(); ob.step(); os_.step()
dt = time.perf_counter() - t0
print(f"torch_image steps={N} hidden={hs} bs={bs} dim={d} sec_per_step={dt/N:.4f} threads={torch.get_num_threads()} "
      f"openblas_coretype={os.environ.get('OPENBLAS_CORETYPE') or 'auto'}")
