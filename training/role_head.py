"""Train the role head (`quoteattr/model/role_head.py`) of a model on the gold roles of the news corpus.

    python training/role_head.py --model M --out M --teacher runs/roles \
        --unlabelled ../shared/data/polnear/train.jsonl                          # about 15 minutes
    python training/role_head.py --model M --out runs/held ... --held-out 0.2      # to choose --epochs

The tagger's encoder is read, never changed; the head is written into `--out` beside it (a copy
of `--model` with the head is a complete model). The head learns from the gold roles of news train
and the seed corpus and, with `--teacher` (a model whose ROLE outputs were taught by fine-tuning its
whole encoder: `training/configs/roles.toml`), from the teacher's ROLE probabilities on the
`--unlabelled` texts (those also in `--train` are left out).

With `--held-out F`, a fraction F of the training documents (drawn by document, seeded) is kept out
and the head's ROLE span F1 on them is printed after every epoch: that is how the number of epochs
is chosen, never by dev (with a teacher the figure is optimistic: the teacher learned from those
documents). The ROLE span F1 on `--dev` is printed last, for the record.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from scorer_run import corpus_parser

from quoteattr.data.jsonl import load_documents
from quoteattr.model.modeling import load_model
from quoteattr.model.role_head import RoleHead, RoleHeadSettings, span_f1, window_states


def main() -> None:
    parser = corpus_parser(
        __doc__,
        "The model whose encoder the head reads.",
        "Where to write the model with its head.",
        8,
        "Passes over the training windows.",
    )
    parser.add_argument("--layer", type=int, default=RoleHeadSettings.layer, help="Encoder layer read (1 = first).")
    parser.add_argument(
        "--context",
        type=int,
        default=RoleHeadSettings.context,
        help="Units per direction of a GRU over the window (0: none).",
    )
    parser.add_argument("--held-out", type=float, default=0.0, help="Fraction of train kept out to score each epoch.")
    parser.add_argument("--teacher", type=Path, help="A model whose ROLE probabilities the head also learns.")
    parser.add_argument("--unlabelled", type=Path, nargs="*", default=[], help="More texts for the teacher to tag.")
    args = parser.parse_args()
    tagger, tokenizer, settings, _ = load_model(args.model)
    tagger.float()
    documents = load_documents(*args.train)
    watch = None
    if args.held_out:
        random.Random(13).shuffle(documents)
        cut = round(len(documents) * args.held_out)
        held, documents = documents[:cut], documents[cut:]
        held_windows = window_states(tagger, tokenizer, settings, held, args.layer, stride=0)
        print(f"held out {len(held)} documents, training on {len(documents)}")

        def watch(epoch: int, head: RoleHead) -> None:
            print(f"epoch {epoch}: held-out ROLE span F1 {span_f1(head, held_windows):.3f}", flush=True)

    teacher, unlabelled = None, []
    if args.teacher:
        teacher, teacher_tokenizer, teacher_settings, _ = load_model(args.teacher)
        same_vocabulary = teacher_tokenizer.get_vocab() == tokenizer.get_vocab()
        if not same_vocabulary or teacher_settings.case_features != settings.case_features:
            parser.error(f"--teacher {args.teacher} reads text otherwise than {args.model} (vocabulary, case features)")
        teacher.float()
        known = {document.id for document in load_documents(*args.train)}
        unlabelled = [d for d in load_documents(*args.unlabelled) if d.id not in known] if args.unlabelled else []
        print(f"teacher {args.teacher} tags {len(unlabelled)} unlabelled documents besides the training ones")
    started = time.perf_counter()
    head = RoleHead.fit(
        tagger,
        tokenizer,
        settings,
        documents,
        RoleHeadSettings(layer=args.layer, context=args.context),
        args.epochs,
        on_epoch=watch,
        teacher=teacher,
        unlabelled=unlabelled,
    )
    print(f"trained on {len(documents)} documents in {time.perf_counter() - started:.0f} s")
    dev_windows = window_states(tagger, tokenizer, settings, load_documents(args.dev), args.layer, stride=0)
    print(f"dev ROLE span F1 {span_f1(head, dev_windows):.3f} ({args.dev.name})")
    if args.out.resolve() != args.model.resolve():
        shutil.copytree(args.model, args.out, dirs_exist_ok=True)
    head.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
