"""An nbgrader preprocessor that removes TensorFlow's log lines from stderr.

nbgrader's ``determine_grade`` gives zero to a grade cell with *any* stderr output, and
TensorFlow, XLA, absl and oneDNN write informational lines there on import and on first use,
even with ``TF_CPP_MIN_LOG_LEVEL=3``. This filter drops exactly those lines (and stderr
outputs left empty), so a correct submission is not failed; every other stderr line, and every
error, is kept.
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode

# Each alternative matches one whole log line.
DEFAULT_PATTERN = "|".join([
    r"[IWEF]\d{4} [\d:.]+\s+\d+ \S+:\d+\] .*",  # absl: I0000 00:00:1795.. 2177 x.cc:31] ...
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] \S+:\d+\] .*",  # TF's own C++ logging
    r".*oneDNN custom operations are on.*",
    r".*To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.*",
    r".*This TensorFlow binary is optimized to use available CPU instructions.*",
    r".*To enable the following instructions: .* in other operations, rebuild TensorFlow.*",
    r".*Unable to register cu(DNN|FFT|BLAS) factory.*",
    r".*computation placer already registered.*",
    r".*TF-TRT Warning: Could not find TensorRT.*",
])


def filter_log_lines(text: str, pattern: str = DEFAULT_PATTERN) -> str:
    """``text`` without the lines that match ``pattern`` entirely."""
    regex = re.compile(pattern)
    kept = [ln for ln in text.splitlines(keepends=True) if not regex.fullmatch(ln.rstrip("\r\n"))]
    return "".join(kept)


class FilterLogLines(NbGraderPreprocessor):
    """Removes TensorFlow log lines from stderr stream outputs."""

    enabled = Bool(True, help="Whether to filter log lines").tag(config=True)
    pattern = Unicode(DEFAULT_PATTERN, help="Regex matching one whole log line").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code":
            outputs = []
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    output.text = filter_log_lines(output.text, self.pattern)
                    if not output.text.strip():
                        continue
                outputs.append(output)
            cell.outputs = outputs
        return cell, resources
