"""`python -m rnnlab.data build [--all | NAME ...] [--data-dir DIR] [--force]`.

A thin command line over `rnnlab.data.builders.build`: it prints each
dataset's build time (wall and CPU: on a busy machine the CPU time is what a
quiet 2-core machine would take) and the total.
"""

import argparse
import sys
import time

from rnnlab.data import builders, locations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnlab.data", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build synthetic datasets offline")
    build_parser.add_argument("names", nargs="*", metavar="NAME",
                              help=f"datasets to build, among {', '.join(builders.SYNTHETIC_DATASETS)}")
    build_parser.add_argument("--all", action="store_true", help="build every synthetic dataset")
    build_parser.add_argument("--data-dir", default=None,
                              help="where to build (default: $TFDS_DATA_DIR, else <repo>/.data/tfds)")
    build_parser.add_argument("--force", action="store_true", help="rebuild datasets already built")
    commands.add_parser("list", help="list the dataset names")
    args = parser.parse_args(argv)

    if args.command == "list":
        from rnnlab.data.loading import DATASET_NAMES

        print("\n".join(DATASET_NAMES))
        return 0
    names = list(builders.SYNTHETIC_DATASETS) if args.all else args.names
    if not names:
        parser.error("expected --all or dataset names, got neither")
    unknown = [name for name in names if name not in builders.SYNTHETIC_DATASETS]
    if unknown:
        parser.error(f"expected names among {', '.join(builders.SYNTHETIC_DATASETS)}, got {unknown}")
    data_dir = args.data_dir or locations.default_data_dir()
    print(f"building into {data_dir}")
    started, started_cpu = time.perf_counter(), time.process_time()
    for name in names:
        cpu = time.process_time()
        report = builders.build(name, data_dir, force=args.force)
        cpu = time.process_time() - cpu
        status = (f"built in {report.seconds:5.1f} s ({cpu:4.1f} s CPU)" if report.built
                  else "already built")
        print(f"  {name:<16} {status}  {report.path}", flush=True)
    print(f"total {time.perf_counter() - started:.1f} s ({time.process_time() - started_cpu:.1f} s CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
