"""Typical wrong answers for chapter 1 (see tests/mutants/__init__.py)."""
from mutants import M

MUTANTS = [
    M("backward overwrites instead of accumulating",
      "            self.grad += out.grad\n            other.grad += out.grad",
      "            self.grad = out.grad\n            other.grad = out.grad",
      "backward", "softmax_nll", "mlp_train", diagnosis="grad-overwrite"),
    M("no topological sort",
      "        visit(self)\n        self.grad = 1.0\n        for v in reversed(topo):\n            v._backward()",
      "        self.grad = 1.0\n        stack = [self]\n        while stack:\n"
      "            v = stack.pop()\n            v._backward()\n            stack.extend(v._prev)",
      "backward", "softmax_nll", "mlp_train"),
    M("tanh derivative 1 - t instead of 1 - t**2",
      "self.grad += (1 - t**2) * out.grad", "self.grad += (1 - t) * out.grad",
      "value_ops", diagnosis="tanh-1-t"),
    M("gradients not reset between steps",
      "    for p in model.parameters():\n        p.grad = 0.0\n", "",
      "mlp_train", diagnosis="no-zero-grad"),
    M("symmetric difference divided by h instead of 2h",
      "(f(*up) - f(*down)) / (2 * h)", "(f(*up) - f(*down)) / h",
      "numeric_grad", diagnosis="symmetric-over-h"),
    M("forward difference with a symmetric step",
      "        bumped[i] += h\n        grads.append((f(*bumped) - base) / h)",
      "        bumped[i] += h / 2\n        grads.append((f(*bumped) - base) / (h / 2))",
      "numeric_grad", diagnosis="forward-step"),
    M("sign error in d/dc of -1/c", "            1.0/c**2]", "            -1.0/c**2]",
      "analytic_grad", diagnosis="grad-dc-sign"),
    M("softmax not normalised", "    return -(counts[label] / total).log()",
      "    return -(counts[label]).log()", "softmax_nll", diagnosis="softmax-not-normalised"),
    M("rsub computed as self - other", "        return other + (-self)",
      "        return self - other", "value_ops", diagnosis="rsub-order"),
    M("a warning on stderr costs nothing",
      "    return [-3*a**2 - 0.5*a**-0.5,",
      "    import sys, warnings\n    warnings.warn('just a warning')\n"
      "    print('note', file=sys.stderr)\n    return [-3*a**2 - 0.5*a**-0.5,"),
]
