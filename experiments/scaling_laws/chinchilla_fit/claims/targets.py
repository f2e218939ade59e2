"""Reference targets and tolerances of ``chinchilla_fit``'s claims, and the helpers every claim
module uses (``Adder`` builds and collects one claim).
"""

from __future__ import annotations

from typing import Any

from experiments.common.claims import Claim, format_number, make_claim
from experiments.scaling_laws.shared.provenance import EPOCH, source

REFERENCE_J = 1.01827402e-3  # Huber-sum optimum of a reference run of this suite
EPOCH_DROPPED = (5.0056, 4.6652, 3.7939, 3.7656, 3.4470)  # the 5 highest losses Epoch drops
# recovery_noisy: per-replicate |estimate − truth| limits (the recovery figure draws them).
RECOVERY_LIMITS = {"alpha": 0.035, "beta": 0.035, "E": 0.07, "a_opt": 0.03, "log_A": 0.6,
                   "log_B": 0.6}
DIGITISED = "On Epoch's digitised Fig. 4 points (not Hoffmann's runs)."
PARAMS = ("alpha", "beta", "E")
SYMBOL = {"alpha": "α", "beta": "β", "E": "E", "A": "A", "B": "B", "a_opt": "a",
          "log_A": "log A", "log_B": "log B"}


def fmt(value: float, digits: int = 3) -> str:
    """A number as claim text."""
    return format_number(float(value), digits)


class Adder:
    """Builds this experiment's claims (id prefix, provenance-led source) and collects them."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.claims: list[Claim] = []

    def __call__(self, cid: str, *, labels: str, where: str, paper_name: str = EPOCH,
                 label: str = "paper", **fields: Any) -> None:
        self.claims.append(make_claim(profile=self.profile, id=f"chinchilla_fit.{cid}",
                                      source=source(labels, where, paper_name), label=label,
                                      **fields))

