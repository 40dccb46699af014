"""County facts: one directory per paper's county (``pinghu/``: divisions, agencies, aliases, with
their sources), and the code that loads it.

Its own package, beside ``lexicons/``, rather than inside ``resolve/``: the recognise stage reads
the gazetteer too (its names are proposals for the vote), and the resolve stage reads the
recognise stage's title rules, so a gazetteer inside ``resolve/`` would make the two stages import
each other.  Another county is another directory here (or ``--gazetteer DIR``), no code change.
"""

from pipeline.gazetteers.gazetteer import Gazetteer, GazetteerError, Match, load_gazetteer, normalise

__all__ = ["Gazetteer", "GazetteerError", "Match", "load_gazetteer", "normalise"]
