"""What the scripts that train a learned attribution scorer on the gold corpora share: their
command line, and the model and documents it names (`names.py`, `role_links.py`, `coreference.py`;
`role_head.py` shares the command line)."""

from __future__ import annotations

import argparse
from pathlib import Path

from quoteattr.data.jsonl import load_documents
from quoteattr.inference import QuoteAttributor
from quoteattr.schema import Document

ROOT = Path(__file__).resolve().parents[1]


def corpus_parser(
    description: str | None, model_help: str, out_help: str, epochs: int, epochs_help: str
) -> argparse.ArgumentParser:
    """The command line that the scripts training on the gold corpora share: `--model`, `--out`,
    `--train` (news train and the seed corpus), `--dev` (news dev) and `--epochs`."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help=model_help)
    parser.add_argument("--out", type=Path, required=True, help=out_help)
    parser.add_argument(
        "--train", type=Path, nargs="+", default=[ROOT / "data/news/train.jsonl", ROOT / "data/train.jsonl"]
    )
    parser.add_argument("--dev", type=Path, default=ROOT / "data/news/dev.jsonl")
    parser.add_argument("--epochs", type=int, default=epochs, help=epochs_help)
    return parser


def scorer_run(
    description: str | None, epochs: int
) -> tuple[argparse.Namespace, QuoteAttributor, list[Document], list[Document]]:
    """The parsed arguments (`corpus_parser`'s, `--epochs` defaulting to `epochs`, and `--l2`), the
    model they name (fp32) and the training and dev documents."""
    parser = corpus_parser(
        description,
        "The model whose spans are linked.",
        "Directory to write the scorer into.",
        epochs,
        "Full-batch optimisation steps.",
    )
    parser.add_argument("--l2", type=float, help="L2 penalty on the weights (default: cross-validated on train).")
    args = parser.parse_args()
    attributor = QuoteAttributor.load(args.model, precision="fp32")
    return args, attributor, load_documents(*args.train), load_documents(args.dev)
