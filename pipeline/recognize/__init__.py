"""The recognise stage: articles in, role-bearing mentions out.

The parts, each usable alone:

* sources (``base.Recognizer`` variants, registered by name): our model (``spacy_model``), Baidu
  LAC (``lac``), HanLP (``hanlp_backend``), the gazetteer ruler (``ruler``);
* passes (``registry.register_pass``), each declaring the document fields it requires and
  provides: ``propose``, the vote (``combine``) or the learned vote (``learned``), the repairs
  (``repair``, ``places``), and the article passes ``bylines``, ``titles``, ``roles``;
* the config (``recognize.cfg``): which sources and passes, in order; a backend is a preset;
* the stage (``stage.RecognizeStage``), which runs a checked plan of passes over one
  ``document.RecognitionDoc`` per text.
"""

from __future__ import annotations

from . import hanlp_backend, lac, learned, places, repair, roles, ruler, spacy_model, titles  # noqa: F401  register
from .base import RECOGNIZERS, BackendUnavailable, Recognizer, create
from .config import RecognizeConfig, preset_names
from .config import load as load_config
from .document import RecognitionDoc
from .registry import PASSES, PassConfigError, Plan, register_pass
from .stage import RecognizeStage

BACKENDS: tuple[str, ...] = preset_names()

__all__ = [
    "BACKENDS",
    "PASSES",
    "RECOGNIZERS",
    "BackendUnavailable",
    "PassConfigError",
    "Plan",
    "RecognitionDoc",
    "RecognizeConfig",
    "RecognizeStage",
    "Recognizer",
    "create",
    "load_config",
    "register_pass",
]
