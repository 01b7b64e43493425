"""A model is a directory: the names of its files, and how a directory is put in place atomically.

`modeling` writes and reads the network's files, `model_card` the card and the recorded scores,
`promotion` installs a directory in place of another; the names are given here once. The learned
attribution scorers keep their own files beside these (`quoteattr.attribution`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CONFIG_FILE = "config.json"  # the transformers config, with the label scheme
WEIGHTS_FILE = "model.safetensors"
SETTINGS_FILE = "quoteattr.json"  # what quoteattr needs beyond the transformers config (`ModelSettings`)
TOKENIZER_FILE = "tokenizer.json"
METRICS_FILE = "metrics.json"  # recorded evaluation reports, by dataset
CARD_FILE = "README.md"
ROLE_HEAD_FILE = "role_head.safetensors"  # the role head (`role_head.py`), its settings beside it as role_head.json
# the quotation decision's readout (`decision_readout.py`), its layers beside it as decision_readout.json
DECISION_READOUT_FILE = "decision_readout.safetensors"
# tokenizer.json too: without it transformers builds a tokenizer of special tokens only, and every word is [UNK].
REQUIRED_FILES = (CONFIG_FILE, WEIGHTS_FILE, SETTINGS_FILE, TOKENIZER_FILE)


def swap_into_place(staging: Path, target: Path) -> None:
    """Rename `staging` to `target`, keeping the previous `target` until the rename has worked."""
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old")
        shutil.rmtree(backup, ignore_errors=True)
        os.replace(target, backup)
    try:
        os.replace(staging, target)
    except BaseException:
        if backup is not None:  # put the previous model back
            os.replace(backup, target)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def install_model(source: str | Path, target: str | Path) -> Path:
    """Copy the model directory `source` to `target` atomically (a temporary sibling, then a rename)."""
    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        shutil.copytree(source, staging, dirs_exist_ok=True)
        staging.chmod(0o755)
        swap_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
