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

from pipeline.recognize import (  # noqa: F401  register
    agencies,
    companies,
    country_pairs,
    hanlp_backend,
    lac,
    learned,
    national_names,
    places,
    printed_persons,
    propose,
    repair,
    roles,
    ruler,
    short_forms,
    short_names,
    spacy_model,
    title_parts,
    titles,
    trims,
)
from pipeline.recognize.base import RECOGNIZERS, BackendUnavailable, ModelFileError, Recognizer, create
from pipeline.recognize.config import RecognizeConfig, preset_names
from pipeline.recognize.config import load as load_config
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.registry import PASSES, PassConfigError, Plan, register_pass
from pipeline.recognize.stage import RecognizeStage, check_model

BACKENDS: tuple[str, ...] = preset_names()

__all__ = [
    "BACKENDS",
    "PASSES",
    "RECOGNIZERS",
    "BackendUnavailable",
    "ModelFileError",
    "PassConfigError",
    "Plan",
    "RecognitionDoc",
    "RecognizeConfig",
    "RecognizeStage",
    "Recognizer",
    "check_model",
    "create",
    "load_config",
    "register_pass",
]
